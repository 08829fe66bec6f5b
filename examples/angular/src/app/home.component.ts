import { Component, inject } from '@angular/core';
import { Router } from '@angular/router';

@Component({
  selector: 'app-home',
  template: `
    <h1>Watch an Ordo job</h1>
    <label>Job id <input #jobId value="1" /></label>
    <button type="button" (click)="open(['/jobs', jobId.value])">Watch (signals)</button>
    <button type="button" (click)="open(['/async/jobs', jobId.value])">Watch (async pipe)</button>
  `,
})
export class HomeComponent {
  private readonly router = inject(Router);
  open(commands: string[]): void {
    void this.router.navigate(commands);
  }
}
