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

/** A redactor for any of the given secrets (empty or missing ones are ignored). */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  const tokens = [...new Set(secrets.filter((secret): secret is string => typeof secret === 'string' && secret !== ''))];
  if (tokens.length === 0) return { mentionedIn: () => false, text: (text) => text, value: (value) => value };
  const source = tokens.map((token) => [...token].map(charPattern).join('')).join('|');
  const test = new RegExp(source);
  const all = new RegExp(source, 'g');
  return {
    mentionedIn: (text) => test.test(text),
    text: (text) => (test.test(text) ? text.replace(all, redactedMark) : text),
    value: (value) => tokens.reduce((current, token) => replaceIn(current, token), value),
  };
}
