import * as z from 'zod/mini';
import { jobStatuses, stepStatuses } from '../machine/statuses.js';

/**
 * The zod schema (zod/mini: the same validation, a fraction of the bundle) of a `GET /jobs/:id` body as the server sends it (snake_case).
 *
 * Required: `job.id`, `job.status`, `steps[]` with `step_id`, `step_type`, `status`. Everything
 * else is optional with a documented default, so bodies from servers before 1.1 (no `progress`,
 * `duration_ms`, `timeline`) and the smaller body of older Ordo documentation are accepted. Unknown
 * keys are allowed (and kept in the snapshot's `raw`).
 *
 * Source: docs/ordo-server.md, "The job body" and "Statuses".
 */

/**
 * ISO-8601 date and time with a `T`, optional fractional seconds of any precision, and a zone:
 * `Z` or `±hh:mm`. `2026-11-29 14:26:05` (no `T`, no zone) is rejected: without a zone the
 * instant is ambiguous.
 */
const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

export const timestampMessage =
  'expected an ISO-8601 timestamp with "T" and a zone ("Z" or "±hh:mm"), e.g. "2026-11-29T14:26:05.234Z"';

/** The number written by `length` digits of `text` from `at` (the regex has checked they are digits). */
function digits(text: string, at: number, length: number): number {
  let value = 0;
  for (let index = at; index < at + length; index += 1) value = value * 10 + text.charCodeAt(index) - 48;
  return value;
}

/**
 * True when every field of a timestamp that matched {@link isoTimestamp} is in range: `Date`
 * would silently roll `2026-02-30` over to March 2 and `24:00` to the next day. Reads the fixed
 * positions without allocating (it runs for every timestamp of every poll).
 */
function isRealDateTime(text: string): boolean {
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (month < 1 || month > 12 || day < 1 || digits(text, 11, 2) > 23 || digits(text, 14, 2) > 59 || digits(text, 17, 2) > 59) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  if (day > daysInMonth) return false;
  if (text.charCodeAt(text.length - 1) === 90 /* Z */) return true;
  return digits(text, text.length - 5, 2) <= 23 && digits(text, text.length - 2, 2) <= 59;
}

/** One check for both rules (a second check would cost every timestamp of every poll). */
const isTimestamp = (value: string): boolean => isoTimestamp.test(value) && isRealDateTime(value);
const timestamp = z.string({ error: timestampMessage }).check(
  z.refine(isTimestamp, {
    error: (issue) =>
      typeof issue.input === 'string' && isoTimestamp.test(issue.input)
        ? 'not a real date and time (a day, hour, minute or second out of range)'
        : timestampMessage,
  }),
);

const optional = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));
const optionalTimestamp = optional(timestamp);
const optionalText = optional(z.string());
const count = z.number().check(z.refine((value) => Number.isSafeInteger(value) && value >= 0, { error: 'expected a whole number ≥ 0' }));
const nonEmpty = z.string().check(z.refine((value) => value !== '', { error: 'expected a non-empty string' }));

/** The job id: a non-negative integer (the real server's), or a non-empty string. */
const jobIdOnWire = z.custom<number | string>(
  (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) || (typeof value === 'string' && value !== ''),
  { error: 'expected the job id as a non-negative integer or a non-empty string' },
);

// Free-form JSON written by the worker; the percent is read from it where it is used.
const detailing = optional(z.looseObject({}));

export const wireStepSchema = z.object({
  step_id: nonEmpty,
  step_type: z.string(),
  status: z.enum(stepStatuses),
  attempt: z.optional(count),
  claimed_at: optionalTimestamp,
  started_at: optionalTimestamp,
  finished_at: optionalTimestamp,
  error: optionalText,
  last_detailing: detailing,
});

export const wireOutputSchema = z.object({
  artifact_name: z.string(),
  path: z.string(),
  delivered_uri: optionalText,
  delivered_at: optionalTimestamp,
});

export const wireJobSchema = z.object({
  id: jobIdOnWire,
  recipe_id: optional(z.number().check(z.refine(Number.isSafeInteger, { error: 'expected an integer' }))),
  status: z.enum(jobStatuses),
  created_at: optionalTimestamp,
  started_at: optionalTimestamp,
  finished_at: optionalTimestamp,
  error: optionalText,
});

/** An array whose elements are checked elsewhere (or not at all: the timeline is not used). */
const anArray = z.custom<unknown[]>((value) => Array.isArray(value), { error: 'expected array' });

/** Everything of a body but the job, its steps and outputs (checked on their own, see below). */
const envelopeShape = {
  progress: z.optional(
    z.object({
      // A fraction 0..1; tolerate float noise just above 1 (a sum of fractions divided by n).
      percentage: z.number().check(
        z.refine((value) => value >= 0 && value <= 1 + 1e-9, { error: 'expected a fraction from 0 to 1 (not a 0–100 percent)' }),
      ),
      completed_steps: count,
      total_steps: count,
    }),
  ),
  duration_ms: optional(z.number().check(z.refine((value) => value >= 0, { error: 'expected milliseconds ≥ 0' }))),
  timeline: z.optional(anArray),
};

/** The whole body. */
export const wireJobBodySchema = z.object({
  job: wireJobSchema,
  ...envelopeShape,
  steps: z.array(wireStepSchema),
  outputs: z.optional(z.array(wireOutputSchema)),
});

/**
 * The body with the job, its steps and outputs left unchecked: the parser checks each on its own,
 * and skips those equal to the previous snapshot's (their parsed objects are reused).
 */
export const wireEnvelopeSchema = z.object({
  job: z.custom<unknown>(() => true),
  ...envelopeShape,
  steps: anArray,
  outputs: z.optional(anArray),
});

export type WireJobBody = z.infer<typeof wireJobBodySchema>;
export type WireStep = z.infer<typeof wireStepSchema>;
export type WireOutput = z.infer<typeof wireOutputSchema>;
