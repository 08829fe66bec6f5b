import request from '../../examples/piney-dam-job.json';

/**
 * The reference LiDAR pipeline as a `POST /jobs` body in the real server's recipe format (v2):
 * reproject → dem → hillshade + contours, and ept beside dem. The same pipeline produced the
 * captured responses the simulator is checked against; `ordo-status demo` submits it. Deeply
 * frozen.
 *
 * Written once, as JSON: the package ships it as `examples/piney-dam-job.json`
 * (`node_modules/ordo-status/examples/piney-dam-job.json`), to copy and edit, or to submit as is:
 * `ordo-status submit node_modules/ordo-status/examples/piney-dam-job.json --watch`.
 */
export const pineyDamJobRequest = deepFreeze(request);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
