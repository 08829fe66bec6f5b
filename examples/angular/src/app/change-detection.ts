import { provideZonelessChangeDetection } from '@angular/core';

/** This build is zoneless (the `zone` build configuration replaces this file). */
export const changeDetection = provideZonelessChangeDetection();
