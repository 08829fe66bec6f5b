/**
 * Excerpts of response bodies for errors (`bodyExcerpt`) and messages. Neutral: the transport
 * and the schema both use it, and it imports nothing.
 */

const excerptLength = 200;

/**
 * The first 200 characters of a body, for error messages: a string as it is, anything else as
 * JSON (`{…}` / `[…]` when it cannot be printed); longer ones end with `…`.
 */
export function excerptOf(body: unknown): string {
  let text: string;
  if (typeof body === 'string') text = body;
  else {
    try {
      text = JSON.stringify(body) ?? String(body);
    } catch {
      // Circular, BigInt, or nested too deep to print (String() would overflow as well).
      text = Array.isArray(body) ? '[…]' : '{…}';
    }
  }
  return text.length > excerptLength ? `${text.slice(0, excerptLength - 1)}…` : text;
}
