/**
 * Reads a `POST /jobs` body in the real server's recipe format (v2) into the step DAG the
 * simulator runs. Steps depend on each other through `step:<id>.<slot>` references: a step whose
 * `inputs` name `step:dem.output_dem` runs after `dem`.
 *
 * Source: fixtures/ordo-server/requests/README.md.
 */

import { maxJsonDepth } from './jsonb.js';

/** One step of a recipe definition. */
export interface RecipeStep {
  readonly id: string;
  readonly type: string;
  /** Input slot → reference (`job:<name>` or `step:<id>.<slot>`). */
  readonly inputs: Readonly<Record<string, string>>;
  /** Output slot → reference (`step:<this id>.<slot>`). */
  readonly outputs: Readonly<Record<string, string>>;
  /** Ids of the steps this one reads from, in first-reference order. */
  readonly dependsOn: readonly string[];
}

/** A recipe as stored by the simulator. */
export interface Recipe {
  readonly name: string;
  readonly version: string;
  readonly steps: readonly RecipeStep[];
}

/** A job input artifact from the body's `inputs`. */
export interface JobInput {
  /** The artifact name without the `job:` prefix. */
  readonly name: string;
  readonly type: string;
  readonly uri: string;
  readonly hash: string | null;
  readonly metadata: unknown;
}

/** What `POST /jobs` asks for, checked. */
export interface JobRequest {
  /** `recipe_id` of a stored recipe, or the inline recipe (with or without its definition). */
  readonly recipe: { readonly id: number } | { readonly name: string; readonly version: string; readonly steps?: readonly RecipeStep[] };
  readonly inputs: readonly JobInput[];
  readonly params: Readonly<Record<string, unknown>>;
  /** Output reference (`step:<id>.<slot>`) → delivery path. */
  readonly outputs: ReadonlyArray<{ readonly reference: string; readonly path: string }>;
}

/** A `POST /jobs` body the simulator refuses; the message becomes `{"error": message}` with HTTP 400. */
export class JobRequestError extends Error {
  override readonly name = 'JobRequestError';
}

const stepReference = /^step:([^.]+)\.(.+)$/;
const jobReference = /^job:(.+)$/;

/** How deeply a JSON value nests, counting up to just past {@link maxJsonDepth}. */
function depthOf(value: unknown, depth = 0): number {
  if (depth > maxJsonDepth || value === null || typeof value !== 'object') return depth;
  let deepest = depth;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child, depth + 1));
  return deepest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new JobRequestError(`${where} must be an object`);
  for (const [key, reference] of Object.entries(value)) {
    if (typeof reference !== 'string') throw new JobRequestError(`${where}.${key} must be a string reference`);
  }
  return value as Record<string, string>;
}

/** Checks a recipe definition: unique ids, known references, no cycles. */
export function parseRecipeDefinition(definition: unknown): RecipeStep[] {
  const list = isRecord(definition) ? definition['recipe'] : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    throw new JobRequestError('recipe.definition.recipe must be a non-empty array of steps');
  }
  const raw = list.map((entry: unknown, index) => {
    if (!isRecord(entry)) throw new JobRequestError(`recipe.definition.recipe[${index}] must be an object`);
    const { id, type } = entry;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(id)) {
      throw new JobRequestError(`recipe.definition.recipe[${index}].id must be a name of letters, digits, "_" or "-"`);
    }
    if (typeof type !== 'string' || type === '') throw new JobRequestError(`step "${id}" needs a type`);
    return {
      id,
      type,
      inputs: stringMap(entry['inputs'], `step "${id}" inputs`),
      outputs: stringMap(entry['outputs'], `step "${id}" outputs`),
    };
  });
  const byId = new Map(raw.map((step) => [step.id, step]));
  if (byId.size !== raw.length) throw new JobRequestError('recipe step ids must be unique');
  const steps: RecipeStep[] = raw.map((step) => {
    for (const [slot, reference] of Object.entries(step.outputs)) {
      if (reference !== `step:${step.id}.${slot}`) {
        throw new JobRequestError(`step "${step.id}" output ${slot} must be "step:${step.id}.${slot}"`);
      }
    }
    const dependsOn: string[] = [];
    for (const reference of Object.values(step.inputs)) {
      if (jobReference.test(reference)) continue;
      const match = stepReference.exec(reference);
      if (!match) throw new JobRequestError(`step "${step.id}" input ${JSON.stringify(reference)} must be job:<name> or step:<id>.<slot>`);
      const [, producer, slot] = match as unknown as [string, string, string];
      const source = byId.get(producer);
      if (!source || !Object.hasOwn(source.outputs, slot)) {
        throw new JobRequestError(`step "${step.id}" reads ${reference}, which no step produces`);
      }
      if (producer === step.id) throw new JobRequestError(`step "${step.id}" reads its own output`);
      if (!dependsOn.includes(producer)) dependsOn.push(producer);
    }
    return { ...step, dependsOn };
  });
  topologicalOrder(steps);
  return steps;
}

/**
 * The steps in an order where every step comes after the steps it depends on; among steps that
 * are ready together, recipe order (Kahn's algorithm, O(steps + edges)).
 * @throws JobRequestError when the references form a cycle.
 */
export function topologicalOrder(steps: readonly RecipeStep[]): RecipeStep[] {
  const position = new Map(steps.map((step, index) => [step.id, index]));
  const waiting = new Map(steps.map((step) => [step.id, step.dependsOn.length]));
  const dependents = directDependents(steps);
  const ready = steps.filter((step) => step.dependsOn.length === 0);
  const order: RecipeStep[] = [];
  while (ready.length > 0) {
    const next = ready.shift() as RecipeStep;
    order.push(next);
    for (const id of dependents.get(next.id) ?? []) {
      const left = (waiting.get(id) as number) - 1;
      waiting.set(id, left);
      if (left === 0) {
        const step = steps[position.get(id) as number] as RecipeStep;
        const at = ready.findIndex((candidate) => (position.get(candidate.id) as number) > (position.get(id) as number));
        ready.splice(at === -1 ? ready.length : at, 0, step);
      }
    }
  }
  if (order.length < steps.length) throw new JobRequestError('recipe steps depend on each other in a cycle');
  return order;
}

/** For each step id, the ids of the steps that read its outputs directly. */
export function directDependents(steps: readonly RecipeStep[]): Map<string, string[]> {
  const dependents = new Map<string, string[]>(steps.map((step) => [step.id, []]));
  for (const step of steps) for (const id of step.dependsOn) dependents.get(id)?.push(step.id);
  return dependents;
}

/** Every step that depends on `stepId`, directly or through others (a breadth-first walk). */
export function dependentsOf(steps: readonly RecipeStep[], stepId: string): Set<string> {
  const direct = directDependents(steps);
  const found = new Set<string>();
  const queue = [...(direct.get(stepId) ?? [])];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (found.has(id)) continue;
    found.add(id);
    queue.push(...(direct.get(id) ?? []));
  }
  return found;
}

/** Checks a `POST /jobs` body. @throws JobRequestError with the reason. */
export function parseJobRequest(body: unknown): JobRequest {
  if (!isRecord(body)) throw new JobRequestError('The body must be a JSON object');
  let recipe: JobRequest['recipe'];
  if (body['recipe_id'] !== undefined) {
    const id = body['recipe_id'];
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw new JobRequestError('recipe_id must be a positive integer');
    recipe = { id };
  } else if (isRecord(body['recipe'])) {
    const { name, version, definition } = body['recipe'];
    if (typeof name !== 'string' || name === '' || typeof version !== 'string' || version === '') {
      throw new JobRequestError('recipe needs a name and a version');
    }
    recipe = definition === undefined ? { name, version } : { name, version, steps: parseRecipeDefinition(definition) };
  } else {
    throw new JobRequestError('Either recipe_id or recipe is required');
  }

  const inputs: JobInput[] = [];
  const rawInputs = body['inputs'] ?? {};
  if (!isRecord(rawInputs)) throw new JobRequestError('inputs must be an object');
  for (const [reference, value] of Object.entries(rawInputs)) {
    const match = jobReference.exec(reference);
    if (!match) throw new JobRequestError(`input ${JSON.stringify(reference)} must be named job:<name>`);
    if (!isRecord(value) || typeof value['uri'] !== 'string' || typeof value['type'] !== 'string') {
      throw new JobRequestError(`input ${reference} needs a type and a uri`);
    }
    inputs.push({
      name: match[1] as string,
      type: value['type'],
      uri: value['uri'],
      hash: typeof value['hash'] === 'string' ? value['hash'] : null,
      metadata: value['metadata'] === undefined ? null : value['metadata'],
    });
  }

  const params = body['params'] ?? {};
  if (!isRecord(params)) throw new JobRequestError('params must be an object');
  if (depthOf(params) > maxJsonDepth || inputs.some((input) => depthOf(input.metadata) > maxJsonDepth)) {
    throw new JobRequestError(`params and metadata may nest at most ${maxJsonDepth} levels deep`);
  }

  const outputs: Array<{ reference: string; path: string }> = [];
  const rawOutputs = body['outputs'] ?? {};
  if (!isRecord(rawOutputs)) throw new JobRequestError('outputs must be an object');
  for (const [reference, value] of Object.entries(rawOutputs)) {
    if (!stepReference.test(reference)) throw new JobRequestError(`output ${JSON.stringify(reference)} must be named step:<id>.<slot>`);
    if (!isRecord(value) || typeof value['path'] !== 'string') throw new JobRequestError(`output ${reference} needs a path`);
    outputs.push({ reference, path: value['path'] });
  }
  return { recipe, inputs, params, outputs };
}

/** Checks the request against its recipe's steps: every `job:` input given, every output produced. */
export function checkRequestAgainstRecipe(request: JobRequest, steps: readonly RecipeStep[]): void {
  const given = new Set(request.inputs.map((input) => `job:${input.name}`));
  for (const step of steps) {
    for (const reference of Object.values(step.inputs)) {
      if (jobReference.test(reference) && !given.has(reference)) {
        throw new JobRequestError(`step "${step.id}" needs input ${reference}, which the job does not provide`);
      }
    }
  }
  for (const { reference } of request.outputs) {
    const [, producer, slot] = stepReference.exec(reference) as unknown as [string, string, string];
    const step = steps.find((candidate) => candidate.id === producer);
    if (!step || !Object.hasOwn(step.outputs, slot)) throw new JobRequestError(`output ${reference} is not produced by any step`);
  }
}
