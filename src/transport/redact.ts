/**
 * Keeps the Bearer token out of everything a server sends back: a careless server (or a proxy's
 * error page) may echo the `Authorization` header, literally or with JSON escapes (`\/`,
 * `\u002b`), and a token must not reach an error message, a snapshot or the CLI's output.
 */
export interface Redactor {
  /** True when the text holds the token, literally or JSON-escaped. */
  mentionedIn(text: string): boolean;
  /** The text with every occurrence, escaped or not, replaced by `[redacted]`. */
  text(text: string): string;
  /** A parsed JSON value with the token replaced in every string (keys too); the same value when it holds none. */
  value(value: unknown): unknown;
}

export const redactedMark = '[redacted]';

const shortEscapes: Readonly<Record<string, string>> = { '/': '\\\\/', '"': '\\\\"', '\\': '\\\\\\\\' };

/** A pattern for one character as JSON may write it: itself, `\uXXXX` (hex in any case), or a short escape. */
function charPattern(char: string): string {
  const hex = char
    .charCodeAt(0)
    .toString(16)
    .padStart(4, '0')
    .split('')
    .map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit))
    .join('');
  const literal = char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const short = shortEscapes[char];
  return `(?:${literal}|\\\\u${hex}${short ? `|${short}` : ''})`;
}

function replaceIn(value: unknown, secret: string): unknown {
  if (typeof value === 'string') return value.includes(secret) ? value.split(secret).join(redactedMark) : value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((element) => {
      const replaced = replaceIn(element, secret);
      changed ||= replaced !== element;
      return replaced;
    });
    return changed ? out : value;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, element] of Object.entries(value)) {
      const newKey = replaceIn(key, secret) as string;
      const replaced = replaceIn(element, secret);
      changed ||= replaced !== element || newKey !== key;
      Object.defineProperty(out, newKey, { value: replaced, enumerable: true, writable: true, configurable: true });
    }
    return changed ? out : value;
  }
  return value;
}

/** The redactor of no secret: it finds nothing and changes nothing. */
const noRedactor: Redactor = { mentionedIn: () => false, text: (text) => text, value: (value) => value };

/** The distinct non-empty secrets, in their first order. */
function distinctSecrets(secrets: ReadonlyArray<string | undefined>): string[] {
  return [...new Set(secrets.filter((secret): secret is string => typeof secret === 'string' && secret !== ''))];
}

/**
 * A redactor for any of the given secrets (empty or missing ones are ignored). It compiles two
 * RegExps from the secrets' characters: build one per token, not one per answer (see
 * {@link createRedactorCache}).
 *
 * @param secrets - the tokens to hide; `undefined` and `''` are skipped, duplicates counted once.
 * @returns a {@link Redactor}; one that changes nothing when no secret is left.
 */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  const tokens = distinctSecrets(secrets);
  if (tokens.length === 0) return noRedactor;
  const source = tokens.map((token) => [...token].map(charPattern).join('')).join('|');
  const test = new RegExp(source);
  const all = new RegExp(source, 'g');
  return {
    mentionedIn: (text) => test.test(text),
    text: (text) => (test.test(text) ? text.replace(all, redactedMark) : text),
    value: (value) => tokens.reduce((current, token) => replaceIn(current, token), value),
  };
}

/**
 * The redactor of a set of secrets, built once and handed out again while that set is among the
 * last `capacity` asked for: `createFetchTransport` asks on every answer, and building one per
 * answer cost more than parsing the answer (13–21 µs per 4.6 KB job body, 1.2–1.5 times its
 * `JSON.parse`; issue "One engine per client").
 *
 * The set is keyed by its distinct non-empty secrets in order (`[a, b]` and `[a, b, a]` are one
 * set, `[b, a]` another); no secret, or only empty ones, gives a redactor that changes nothing,
 * without building one. The least recently used set is forgotten first. The cache holds the
 * secrets themselves, as the transport already does.
 *
 * @param capacity - how many sets are remembered, a whole number of at least 1; default 2, which
 *   covers a token function: the current token, and the pair of old and fresh token while a 401
 *   is sent again with a refreshed one. A token that rotates does not grow the cache.
 * @param create - builds a redactor (to count or instrument the builds); default {@link createRedactor}.
 * @returns a function of the secrets returning their {@link Redactor}, the same object for the
 *   same set while it is remembered.
 * @example
 * ```ts
 * const redactorFor = createRedactorCache();
 * redactorFor([token]) === redactorFor([token]); // true: compiled once
 * ```
 */
export function createRedactorCache(
  capacity = 2,
  create: (secrets: readonly string[]) => Redactor = createRedactor,
): (secrets: ReadonlyArray<string | undefined>) => Redactor {
  // Insertion order is use order: a hit moves its entry to the back, the front is evicted.
  const remembered = new Map<string, Redactor>();
  return (secrets) => {
    const tokens = distinctSecrets(secrets);
    if (tokens.length === 0) return noRedactor;
    const key = JSON.stringify(tokens);
    const redactor = remembered.get(key) ?? create(tokens);
    remembered.delete(key);
    remembered.set(key, redactor);
    if (remembered.size > capacity) remembered.delete(remembered.keys().next().value as string);
    return redactor;
  };
}
