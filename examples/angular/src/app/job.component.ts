import { AsyncPipe, DatePipe, PercentPipe } from '@angular/common';
import { Component, computed, inject, input } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { map, scan, switchMap } from 'rxjs';
import { JobStatusService } from './job-status.service';

/**
 * One job, bound several times: the header and the progress bar each through the `async` pipe,
 * the step table through the `async` pipe again, and the transition log through `toSignal`.
 * They all share one poll of the job.
 */
@Component({
  selector: 'app-job',
  imports: [AsyncPipe, PercentPipe, DatePipe],
  template: `
    @if (snapshot$ | async; as snapshot) {
      <h1 data-test="title">
        Job {{ snapshot.job.id }}:
        <span data-test="job-status" [class]="'status-' + snapshot.job.status">{{ snapshot.job.status }}</span>
      </h1>
    }
    @if (snapshot$ | async; as snapshot) {
      <p>
        <progress data-test="progress" max="1" [value]="snapshot.progress.fraction"></progress>
        {{ snapshot.progress.fraction | percent }} · {{ snapshot.progress.completedSteps }}/{{ snapshot.progress.totalSteps }} steps
      </p>
    }
    @if (snapshot$ | async; as snapshot) {
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
              <td>{{ step.startedAt | date: 'mediumTime' }}</td>
              <td>{{ step.progress === null ? '–' : (step.progress | percent) }}</td>
            </tr>
          }
        </tbody>
      </table>
    }
    <h2>Transitions</h2>
    <ol data-test="events">
      @for (line of eventLines(); track $index) {
        <li>{{ line }}</li>
      }
    </ol>
    @if (lastEvent(); as last) {
      <p data-test="last-event">{{ last }}</p>
    }
  `,
})
export class JobComponent {
  private readonly jobs = inject(JobStatusService);
  /** The route's `:id` (router input binding is not needed: read through the input). */
  readonly id = input<string>('', { alias: 'id' });

  readonly snapshot$ = toObservable(this.id).pipe(switchMap((id) => this.jobs.status$(id)));

  /** The transition log, through toSignal. */
  readonly eventLines = toSignal(
    toObservable(this.id).pipe(
      switchMap((id) =>
        this.jobs.events$(id).pipe(
          map((event) => `${event.type === 'job' ? 'job' : event.stepId}: ${event.from} → ${event.to}${event.inferred ? ' (inferred)' : ''}`),
          scan((lines, line) => [...lines, line], [] as string[]),
        ),
      ),
    ),
    { initialValue: [] as string[] },
  );
  readonly lastEvent = computed(() => this.eventLines().at(-1));
}
