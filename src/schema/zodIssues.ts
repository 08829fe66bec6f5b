import type * as z from 'zod/mini';
import type { OrdoSchemaIssue } from '../errors/OrdoSchemaError.js';

/** Renders a value the way it appears in JSON, for messages: `"paused"`, `42`, `null`, `an object`. */
export function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return 'an array';
  return `${typeof value === 'object' ? 'an object' : typeof value}`;
}

/** `['steps', 2, 'status']` → `steps[2].status`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * One zod issue as an {@link OrdoSchemaIssue}: the path as `steps[2].status`, a message that
 * names what was expected and what was received (`expected one of "pending", …; received
 * "paused"`), and the received value.
 */
export function toIssue(issue: z.core.$ZodIssue): OrdoSchemaIssue {
  const received = (issue as { input?: unknown }).input;
  let message: string;
  switch (issue.code) {
    case 'invalid_value': {
      const allowed = `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      message = received === undefined ? `missing (expected ${allowed})` : `expected ${allowed}; received ${describeReceived(received)}`;
      break;
    }
    case 'invalid_type': {
      const expected = issue.expected === 'int' ? 'an integer' : issue.expected;
      message = received === undefined ? `missing (expected ${expected})` : `expected ${expected}, received ${describeReceived(received)}`;
      break;
    }
    default:
      message = `${issue.message.replace(/^Invalid input: /, '')}; received ${describeReceived(received)}`;
  }
  return { path: formatPath(issue.path), message, received };
}
