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

/**
 * A JSON value as PostgreSQL's `jsonb` gives it back: object keys ordered by byte length, then
 * bytewise (the real server stores `params`, artifact `metadata` and detailing `progress` as
 * jsonb, so `{"reproject":…,"dem":…}` comes back as `{"dem":…,"reproject":…}`); a later
 * duplicate key wins. Arrays keep their order.
 *
 * Source: the key order of `job.params` in every body of fixtures/ordo-server/.
 */
export function jsonb(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonb);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareKeys)) out[key] = jsonb((value as Record<string, unknown>)[key]);
  return out;
}
