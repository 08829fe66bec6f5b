import type { Routes } from '@angular/router';
import { HomeComponent } from './home.component';
import { JobAsyncComponent } from './job-async.component';
import { JobComponent } from './job.component';

export const routes: Routes = [
  { path: '', component: HomeComponent },
  { path: 'jobs/:id', component: JobComponent },
  { path: 'async/jobs/:id', component: JobAsyncComponent },
];
