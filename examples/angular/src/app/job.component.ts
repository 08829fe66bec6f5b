import { DatePipe, PercentPipe } from '@angular/common';
import { Component, input } from '@angular/core';
import type { JobEvent } from 'ordo-status';
import { injectJobStatus } from 'ordo-status/angular';
import { JobSummaryComponent } from './job-summary.component';

/** A transition as one line of the log. */
export function eventLine(event: JobEvent): string {
  return `${event.type === 'job' ? 'job' : event.stepId}: ${event.from} → ${event.to}${event.inferred ? ' (inferred)' : ''}`;
}

/**
 * One job as signals (`injectJobStatus`): the route's `:id` comes in as an input
 * (`withComponentInputBinding()`); a failure is shown next to the last snapshot, with a button
 * that starts the watch again.
 */
@Component({
  selector: 'app-job',
  imports: [DatePipe, PercentPipe, JobSummaryComponent],
  template: `
    @if (job.value(); as snapshot) {
      <h1 data-test="title">
        Job {{ snapshot.job.id }}:
        <span data-test="job-status" [class]="'status-' + snapshot.job.status">{{ snapshot.job.status }}</span>
      </h1>
      <app-job-summary [id]="id()" />
      <table>
        <thead>
          <tr><th>step</th><th>type</th><th>status</th><th>attempt</th><th>started</th><th>progress</th></tr>
        </thead>
        <tbody>
          @for (step of snapshot.steps; track step.stepId) {
            <tr data-test="step">
              <td>{{ step.stepId }}</td>
              <td>{{ step.stepType }}</td>
              <td data-test="step-status" [class]="'status-' + step.status">{{ step.status }}</td>
              <td>{{ step.attempt }}</td>
              <td>{{ step.startedAt | date: 'mediumTime' : 'UTC' }}</td>
              <td>{{ step.progress === null ? '–' : (step.progress | percent) }}</td>
            </tr>
          }
        </tbody>
      </table>
    } @else if (job.isLoading()) {
      <p data-test="loading">Loading job {{ id() }}…</p>
    }
    @if (job.error(); as error) {
      <p data-test="error" role="alert" class="error">The watch stopped: {{ error.message }}</p>
      <button type="button" data-test="reload" (click)="job.reload()">Try again</button>
    }
    <h2>Transitions</h2>
    <ol data-test="events">
      @for (event of job.events(); track $index) {
        <li>{{ line(event) }}</li>
      }
    </ol>
  `,
})
export class JobComponent {
  readonly id = input.required<string>();
  readonly job = injectJobStatus(this.id);
  readonly line = eventLine;
}
