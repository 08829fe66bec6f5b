import { describe, expect, it } from 'vitest';
import { createFetchTransport, OrdoHttpError } from 'ordo-status';
import { createRedactor, createRedactorCache, redactedMark, type Redactor } from '../../src/transport/redact.js';
import { loadScenario } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { failure, fetchOnce } from '../helpers/transport.js';

const running = loadScenario('success')[24]!;
let server: TestServer | undefined;

/** A cache whose builds are counted, one entry per set of secrets asked to build. */
function countedCache(capacity?: number): { redactorFor: (secrets: ReadonlyArray<string | undefined>) => Redactor; built: string[][] } {
  const built: string[][] = [];
  const redactorFor = createRedactorCache(capacity, (secrets) => {
    built.push([...secrets]);
    return createRedactor(secrets);
  });
  return { redactorFor, built };
}

/**
 * Counts the RegExps compiled while `run` runs whose pattern finds `token` but not a string of
 * other characters: the redactor's, whatever builds it (a RegExp literal elsewhere is not a call).
 */
async function compilationsFinding<T>(token: string, run: () => Promise<T>): Promise<{ result: T; count: number }> {
  const Original = globalThis.RegExp;
  const decoy = 'x'.repeat(token.length);
  let count = 0;
  globalThis.RegExp = new Proxy(Original, {
    construct(target, args: [string | RegExp, string?]) {
      const compiled: RegExp = Reflect.construct(target, args);
      const probe = new Original(compiled.source, compiled.flags.replace('g', ''));
      if (probe.test(token) && !probe.test(decoy)) count += 1;
      return compiled;
    },
  });
  try {
    return { result: await run(), count };
  } finally {
    globalThis.RegExp = Original;
  }
}

describe('createRedactorCache', () => {
  it('hands out the same redactor for the same secrets, built once', () => {
    const { redactorFor, built } = countedCache();
    const first = redactorFor(['alpha-token-1']);
    expect(redactorFor(['alpha-token-1'])).toBe(first);
    expect(redactorFor(['alpha-token-1', undefined, '', 'alpha-token-1'])).toBe(first); // the same set
    expect(built).toEqual([['alpha-token-1']]);
    expect(first.text('echo alpha-token-1')).toBe(`echo ${redactedMark}`);
  });

  it('keeps only the last two sets, so a rotating token does not grow it', () => {
    const { redactorFor, built } = countedCache();
    for (let index = 0; index < 50; index += 1) redactorFor([`rotating-token-${index}`]);
    expect(built).toHaveLength(50);
    redactorFor(['rotating-token-49']);
    redactorFor(['rotating-token-48']);
    expect(built).toHaveLength(50); // the last two are remembered
    redactorFor(['rotating-token-47']);
    expect(built).toHaveLength(51); // older ones are forgotten, and built again when asked for
    // Least recently used goes first: 48 was used after 49, so 49 is the one forgotten for 47.
    redactorFor(['rotating-token-48']);
    expect(built).toHaveLength(51);
    redactorFor(['rotating-token-49']);
    expect(built).toHaveLength(52);
  });

  it('keeps the old and fresh token of a refresh as a set of their own, beside the fresh one', () => {
    const { redactorFor, built } = countedCache();
    const pair = redactorFor(['expired-token', 'fresh-token-2']);
    const fresh = redactorFor(['fresh-token-2']);
    expect(redactorFor(['expired-token', 'fresh-token-2'])).toBe(pair);
    expect(redactorFor(['fresh-token-2'])).toBe(fresh);
    expect(built).toEqual([['expired-token', 'fresh-token-2'], ['fresh-token-2']]);
    expect(pair.text('expired-token then fresh-token-2')).toBe(`${redactedMark} then ${redactedMark}`);
  });

  it('builds nothing for no secret, and remembers as many sets as its capacity', () => {
    const { redactorFor, built } = countedCache(1);
    const none = redactorFor([undefined, '']);
    expect(none.text('anything')).toBe('anything');
    expect(none.mentionedIn('anything')).toBe(false);
    expect(built).toEqual([]);
    redactorFor(['first-token']);
    redactorFor(['second-token']);
    redactorFor(['first-token']);
    expect(built).toEqual([['first-token'], ['second-token'], ['first-token']]);
  });
});

describe('createFetchTransport builds its redactors once per token', () => {
  it('compiles a string token’s patterns at creation, not per answer or per error', async () => {
    const token = 'string-T0KEN-value';
    let status = 200;
    server = await startTestServer((req, res) =>
      res.status(status).json(status === 200 ? { ...running.body, job: { ...running.body.job, error: `saw ${String(req.headers['authorization'])}` } } : { error: `bad ${String(req.headers['authorization'])}` }),
    );
    const baseUrl = server.url;
    const created = await compilationsFinding(token, async () => createFetchTransport({ baseUrl, token }));
    const answers = await compilationsFinding(token, async () => {
      const data: unknown[] = [];
      for (let index = 0; index < 5; index += 1) data.push(await fetchOnce(created.result));
      status = 500;
      const error = await failure(fetchOnce(created.result));
      return { data, error };
    });
    expect(answers.count).toBe(0);
    expect(created.count).toBeGreaterThan(0); // the patterns were compiled, once, at creation
    // And the redaction is what it was: data (a long token) and error text.
    for (const data of answers.result.data) expect((data as any).job.error).toBe(`saw Bearer ${redactedMark}`);
    expect(answers.result.error).toBeInstanceOf(OrdoHttpError);
    expect(answers.result.error.message).toContain(`bad Bearer ${redactedMark}`);
    expect(answers.result.error.message).not.toContain(token);
  });

  it('compiles a token function’s patterns once per token it returns, also across a refresh after a 401', async () => {
    const expired = 'expired-T0KEN-value';
    const fresh = 'freshly-T0KEN-value';
    let refused: string | undefined;
    server = await startTestServer((req, res) => {
      const authorization = String(req.headers['authorization']);
      // A careless server echoing the header, and in the answer after a 401 the one it refused.
      if (authorization === `Bearer ${expired}`) {
        refused = authorization;
        res.status(401).json({ error: `refused ${authorization}` });
        return;
      }
      res.json({ ...running.body, job: { ...running.body.job, error: `${refused ? `was ${refused}, ` : ''}now ${authorization}` } });
      refused = undefined;
    });
    let current = expired;
    const transport = createFetchTransport({
      baseUrl: server.url,
      token: ({ refresh }) => {
        if (refresh) current = fresh;
        return current;
      },
    });
    const refreshing = await compilationsFinding(fresh, () => fetchOnce(transport));
    expect((refreshing.result as any).job.error).toBe(`was Bearer ${redactedMark}, now Bearer ${redactedMark}`);
    expect(refreshing.count).toBeGreaterThan(0);
    // The fresh token alone: built once on the next answer, then never again.
    const next = await compilationsFinding(fresh, () => fetchOnce(transport));
    expect((next.result as any).job.error).toBe(`now Bearer ${redactedMark}`);
    const steady = await compilationsFinding(fresh, async () => {
      for (let index = 0; index < 5; index += 1) expect((await fetchOnce(transport)) as any).toMatchObject({ job: { error: `now Bearer ${redactedMark}` } });
    });
    expect(steady.count).toBe(0);
  });
});
