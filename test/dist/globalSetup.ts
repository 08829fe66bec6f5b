import { distState } from '../../scripts/dist.mjs';

/**
 * The `dist` project tests the package as built: it refuses to run on a dist/ that is missing or
 * older than src/, rather than test stale output. `npm test` and `npm run test:dist` build first
 * when needed.
 */
export default function refuseStaleDist(): void {
  const state = distState();
  if (!state.fresh) throw new Error(`dist/ is stale: ${state.reason}. Run \`npm run build\`, or \`npm run test:dist\`, which builds when needed.`);
}
