import * as z from 'zod/mini';
import { excerptOf } from '../body/excerptOf.js';
import { OrdoSchemaError, type OrdoSchemaIssue } from '../errors/OrdoSchemaError.js';
import { normalizeJobId } from './jobId.js';
import { describeReceived, toIssue } from './zodIssues.js';

/**
 * The answer to `POST /jobs`: `{"id": n}`, `n` a positive integer (the new job's id; other keys
 * are allowed and ignored). Source: docs/ordo-server.md, "Routes" and "Submitting a job".
 */
const submittedJobSchema = z.looseObject({ id: z.int().check(z.positive()) });

/** One zod issue of an answer as an {@link OrdoSchemaIssue}; any problem with `id` says what an id is. */
function answerIssue(issue: z.core.$ZodIssue): OrdoSchemaIssue {
  if (issue.path.length !== 1 || issue.path[0] !== 'id') return toIssue(issue);
  const received = (issue as { input?: unknown }).input;
  const expected = 'the new job id, a positive integer';
  return { path: 'id', message: received === undefined ? `missing (expected ${expected})` : `expected ${expected}; received ${describeReceived(received)}`, received };
}

/** An {@link OrdoSchemaError} for an answer to `POST /jobs` that does not say which job was created. */
function invalidAnswer(issues: readonly OrdoSchemaIssue[], body: unknown, cause?: unknown): OrdoSchemaError {
  const shown = issues.map((issue) => `${issue.path === '' ? 'body' : issue.path}: ${issue.message}`).join('; ');
  return new OrdoSchemaError(`Invalid answer to POST /jobs (expected {"id": <positive integer>}; the job may have been created): ${shown}`, {
    issues,
    bodyExcerpt: excerptOf(body),
    cause,
  });
}

/**
 * Reads the new job's id from the answer to `POST /jobs`.
 *
 * @param body - the answer as a transport gave it: parsed JSON, or its text.
 * @returns the id in the library's job id form (a string: `"42"`).
 * @throws {@link OrdoSchemaError} when the body is not JSON or not `{"id": <positive integer>}`,
 *   with `issues` and `bodyExcerpt`.
 */
export function parseSubmittedJob(body: unknown): string {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
    } catch (cause) {
      const received = excerptOf(body);
      throw invalidAnswer([{ path: '', message: body.trim() === '' ? 'the body is empty' : `the body is not JSON; it starts with ${JSON.stringify(body.slice(0, 40))}`, received }], body, cause);
    }
  }
  const checked = submittedJobSchema.safeParse(value, { reportInput: true });
  if (!checked.success) throw invalidAnswer(checked.error.issues.map(answerIssue), value);
  return normalizeJobId(checked.data.id);
}
