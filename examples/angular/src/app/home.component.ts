import { Component, inject } from '@angular/core';
import { Router } from '@angular/router';

@Component({
  selector: 'app-home',
  template: `
    <h1>Watch an Ordo job</h1>
    <label>Job id <input #jobId value="1" /></label>
    <button type="button" (click)="open(jobId.value)">Watch</button>
  `,
})
export class HomeComponent {
  private readonly router = inject(Router);
  open(id: string): void {
    void this.router.navigate(['/jobs', id]);
  }
}
