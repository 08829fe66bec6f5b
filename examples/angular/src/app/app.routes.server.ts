import { RenderMode, type ServerRoute } from '@angular/ssr';

/** Job pages change with every visit: rendered on each request, never prerendered. */
export const serverRoutes: ServerRoute[] = [{ path: '**', renderMode: RenderMode.Server }];
