// The package as the benchmarks run it: the built one (`npm run bench` builds first), what users
// run, without the dev loader's wrappers. Typed from the sources, since a clean checkout has no
// dist/ yet when it is type-checked; the specifier is a variable so the compiler does not look
// for it.
import type * as OrdoStatus from '../src/index.js';

const builtEntry = '../dist/index.js';

/** The built `ordo-status` root entry. */
export const ordo = (await import(builtEntry)) as typeof OrdoStatus;
