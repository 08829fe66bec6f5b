/**
 * The body of `POST /jobs`, in the server's own words (snake_case, as sent): the recipe, the
 * job's input artifacts, per-step parameters and the outputs to deliver.
 *
 * Source: docs/ordo-server.md, "Submitting a job".
 */

/** A job input artifact, keyed in the `inputs` of a {@link JobRequest} by its namespaced reference (`job:<name>`). */
export interface JobRequestInput {
  /** The artifact type, e.g. `"las"`. */
  readonly type: string;
  /** Where the artifact is, e.g. `"development/PINEY DAM MBES 1IN.laz"`. */
  readonly uri: string;
  readonly hash?: string | null | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | null | undefined;
}

/** A job output to deliver, keyed in the `outputs` of a {@link JobRequest} by the producing step's reference (`step:<step id>.<slot>`). */
export interface JobRequestOutput {
  /** The delivery path, e.g. `"final/piney-dam/dem.tif"`. */
  readonly path: string;
}

/**
 * A recipe given by name and version. With `definition` (the step list, e.g.
 * `{ recipe: [{ id, type, inputs, outputs, param_keys }] }`) the server stores it, or reuses a
 * stored recipe of the same name and version; without it, the server must already have it.
 */
export interface JobRequestRecipe {
  readonly name: string;
  readonly version: string;
  readonly definition?: Readonly<Record<string, unknown>> | undefined;
}

/** What every {@link JobRequest} may carry besides its recipe: inputs, outputs and parameters, each optional. */
export interface JobRequestParts {
  /** Input artifacts by reference: `{ "job:input_las": { type, uri, hash?, metadata? } }`. @defaultValue `{}` */
  readonly inputs?: Readonly<Record<string, JobRequestInput>> | undefined;
  /** Outputs to deliver, by producing reference: `{ "step:dem.output_dem": { path } }`. @defaultValue `{}` */
  readonly outputs?: Readonly<Record<string, JobRequestOutput>> | undefined;
  /** Parameters per step id: `{ dem: { resolution: 1 } }`. @defaultValue `{}` */
  readonly params?: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined;
}

/**
 * A `POST /jobs` body: a stored recipe by id (`recipe_id`, a positive integer) or a recipe by name
 * and version (`recipe`, with or without its definition), plus `inputs`, `outputs` and `params`.
 * The reference pipeline ships as `examples/piney-dam-job.json` in the package (and as
 * `pineyDamJobRequest` in `ordo-status/testing`).
 *
 * Source: docs/ordo-server.md, "Submitting a job".
 * @example
 * ```ts
 * const request: JobRequest = {
 *   recipe_id: 3,
 *   inputs: { 'job:input_las': { type: 'las', uri: 's3://bucket/survey.laz' } },
 *   params: { dem: { resolution: 1 } },
 *   outputs: { 'step:dem.output_dem': { path: 'final/survey/dem.tif' } },
 * };
 * ```
 */
export type JobRequest = JobRequestParts &
  (
    | { readonly recipe_id: number; readonly recipe?: undefined }
    | { readonly recipe: JobRequestRecipe; readonly recipe_id?: undefined }
  );

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Checks a {@link JobRequest} before anything is sent, and returns what will be sent: the request
 * written as JSON and read back, so the check sees exactly the body (a `toJSON`, inherited
 * properties, `undefined` values and `NaN` are as JSON makes them). It must be an object with
 * either `recipe_id` (a positive integer) or `recipe` (`{ name, version }`, non-empty strings),
 * not both; `inputs`, `outputs`, `params` and `recipe.definition`, when given, objects; and it
 * must be writable as JSON (no cycles, no `BigInt`). The server checks the rest (references, the
 * DAG) and answers 400 with its reason.
 *
 * @param request - what the caller passed.
 * @param caller - named in the message, e.g. `"submitJob"`.
 * @returns the request as it will be sent (a plain JSON value).
 * @throws TypeError naming the first problem.
 */
export function checkJobRequest(given: unknown, caller: string): JobRequest {
  function refuse(problem: string): never {
    throw new TypeError(`${caller}: invalid job request: ${problem}`);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(given);
  } catch (cause) {
    refuse(`it cannot be written as JSON (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  if (text === undefined) {
    if (typeof given === 'object' && given !== null) refuse('it writes no JSON at all (its toJSON returned undefined)');
    refuse(`expected an object such as { recipe_id: 3, inputs, outputs, params }, got ${typeof given}`);
  }
  const request: unknown = JSON.parse(text);
  if (!isRecord(request)) refuse(`expected an object such as { recipe_id: 3, inputs, outputs, params }, got ${request === null ? 'null' : Array.isArray(request) ? 'an array' : typeof request}`);
  const hasId = request['recipe_id'] !== undefined;
  const hasRecipe = request['recipe'] !== undefined;
  if (hasId && hasRecipe) refuse('give either recipe_id or recipe, not both');
  if (hasId) {
    const id = request['recipe_id'];
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) refuse(`recipe_id must be a positive integer, got ${JSON.stringify(id) ?? typeof id}`);
  } else if (hasRecipe) {
    const recipe = request['recipe'];
    if (!isRecord(recipe)) refuse('recipe must be an object { name, version, definition? }');
    for (const key of ['name', 'version'] as const) {
      if (typeof recipe[key] !== 'string' || recipe[key] === '') refuse(`recipe.${key} must be a non-empty string`);
    }
    if (recipe['definition'] !== undefined && !isRecord(recipe['definition'])) refuse('recipe.definition must be an object such as { recipe: [steps] }');
  } else {
    refuse('recipe_id (a stored recipe) or recipe ({ name, version, definition? }) is required');
  }
  for (const key of ['inputs', 'outputs', 'params'] as const) {
    if (request[key] !== undefined && !isRecord(request[key])) refuse(`${key} must be an object`);
  }
  return request as unknown as JobRequest;
}
