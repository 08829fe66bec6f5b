const encoder = new TextEncoder();

function compareKeys(a: string, b: string): number {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.length !== right.length) return left.length - right.length;
  for (let index = 0; index < left.length; index += 1) {
    const difference = (left[index] as number) - (right[index] as number);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** How deep a stored JSON value may nest (PostgreSQL refuses much deeper documents too). */
export const maxJsonDepth = 64;

/**
 * A JSON value as PostgreSQL's `jsonb` gives it back: object keys ordered by byte length, then
 * bytewise (the real server stores `params`, artifact `metadata` and detailing `progress` as
 * jsonb, so `{"reproject":…,"dem":…}` comes back as `{"dem":…,"reproject":…}`). Arrays keep their
 * order. A key such as `__proto__` is kept as an ordinary key.
 *
 * Source: the key order of `job.params` in every body of fixtures/ordo-server/.
 * @throws RangeError when the value nests deeper than {@link maxJsonDepth}.
 */
export function jsonb(value: unknown, depth = 0): unknown {
  if (depth > maxJsonDepth) throw new RangeError(`JSON nested deeper than ${maxJsonDepth} levels`);
  if (Array.isArray(value)) return value.map((element) => jsonb(element, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareKeys)) {
    Object.defineProperty(out, key, {
      value: jsonb((value as Record<string, unknown>)[key], depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
