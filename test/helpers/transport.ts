import { from, lastValueFrom } from 'rxjs';
import type { JobTransport } from 'ordo-status';

/** One request through a transport, as a promise of its body. */
export function fetchOnce(transport: JobTransport, id = '1', signal = new AbortController().signal): Promise<unknown> {
  return lastValueFrom(from(transport(id, { signal })));
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to fail');
}

/** Every way an error could show a secret: message, stack, own fields, cause chain. */
export function everythingIn(error: Error): string {
  const seen = new Set<unknown>();
  const parts: string[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const value = current as Record<string, unknown>;
    parts.push(String(value['message']), String(value['stack']));
    for (const key of Object.keys(value)) parts.push(key, JSON.stringify(value[key]) ?? '');
    current = value['cause'];
  }
  return parts.join('\n');
}
