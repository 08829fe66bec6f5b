import { PercentPipe } from '@angular/common';
import { Component, input } from '@angular/core';
import { injectJobStatus } from 'ordo-status/angular';

/** A second binding of the same job (a header, a badge): it shares the page's poll. */
@Component({
  selector: 'app-job-summary',
  imports: [PercentPipe],
  template: `
    @if (job.value(); as snapshot) {
      <p data-test="summary">
        <progress data-test="progress" max="1" [value]="snapshot.progress.fraction"></progress>
        {{ snapshot.progress.fraction | percent }} · {{ snapshot.progress.completedSteps }}/{{ snapshot.progress.totalSteps }} steps
      </p>
    }
  `,
})
export class JobSummaryComponent {
  readonly id = input.required<string>();
  readonly job = injectJobStatus(this.id);
}
