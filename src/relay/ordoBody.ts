import { createHash } from 'node:crypto';

/**
 * The Ordo body of a snapshot as the relay answers it: the server's body (`snapshot.raw`), without
 * the `id`/`found` keys a batch element adds (docs/ordo-server.md, "Routes"), compact JSON.
 */
export function ordoBodyText(raw: unknown): string {
  if (raw !== null && typeof raw === 'object' && 'job' in raw && ('found' in raw || 'id' in raw)) {
    const { id: _id, found: _found, ...body } = raw as Record<string, unknown>;
    return JSON.stringify(body);
  }
  return JSON.stringify(raw);
}

/** A weak ETag of a body text: the SHA-1 of its bytes, base64url. */
export function weakEtag(text: string): string {
  return `W/"${createHash('sha1').update(text).digest('base64url')}"`;
}
