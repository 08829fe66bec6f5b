import { AsyncPipe, PercentPipe } from '@angular/common';
import { Component, input } from '@angular/core';
import { toObservable } from '@angular/core/rxjs-interop';
import { switchMap } from 'rxjs';
import { injectOrdoClient } from 'ordo-status/angular';

/**
 * The same job through observables: the client from `injectOrdoClient()` and the `async` pipe,
 * bound three times (they share one poll). On the server it renders one snapshot and completes.
 */
@Component({
  selector: 'app-job-async',
  imports: [AsyncPipe, PercentPipe],
  template: `
    @if (snapshot$ | async; as snapshot) {
      <h1 data-test="title">
        Job {{ snapshot.job.id }}:
        <span data-test="job-status" [class]="'status-' + snapshot.job.status">{{ snapshot.job.status }}</span>
      </h1>
    }
    @if (snapshot$ | async; as snapshot) {
      <p><progress data-test="progress" max="1" [value]="snapshot.progress.fraction"></progress> {{ snapshot.progress.fraction | percent }}</p>
    }
    @if (snapshot$ | async; as snapshot) {
      <ul>
        @for (step of snapshot.steps; track step.stepId) {
          <li data-test="step">{{ step.stepId }}: <span data-test="step-status">{{ step.status }}</span></li>
        }
      </ul>
    }
  `,
})
export class JobAsyncComponent {
  readonly id = input.required<string>();
  private readonly ordo = injectOrdoClient();
  readonly snapshot$ = toObservable(this.id).pipe(switchMap((id) => this.ordo.jobStatus$(id)));
}
