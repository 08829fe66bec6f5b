import type { Routes } from '@angular/router';
import { HomeComponent } from './home.component';
import { JobComponent } from './job.component';

export const routes: Routes = [
  { path: '', component: HomeComponent },
  { path: 'jobs/:id', component: JobComponent },
];
