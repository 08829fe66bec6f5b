import { createHash } from 'node:crypto';
import { lastValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createFetchTransport, type JobTransport } from 'ordo-status';
import { startTestServer, type TestServer } from '../helpers/testServer.js';


/**
 * A server answering every batch `/jobs/a,b,…` with its ids as not found, a weak ETag of the
 * body, and 304 when `If-None-Match` holds that ETag (as Express and the Ordo server do).
 */
async function etagServer(): Promise<TestServer> {
  return startTestServer((req, res) => {
    const ids = decodeURIComponent(req.path.replace(/^\/jobs\//, '')).split(',');
    const body = JSON.stringify(ids.map((id) => ({ id, found: false })));
    const etag = `W/"${createHash('sha1').update(body).digest('base64url')}"`;
    if (req.headers['if-none-match'] === etag) {
      res.status(304).set('etag', etag).end();
      return;
    }
    res.status(200).set({ etag, 'content-type': 'application/json' }).send(body);
  });
}

function batch(transport: JobTransport, ids: readonly string[]): Promise<unknown> {
  return lastValueFrom(from(transport.batch!(ids, { signal: new AbortController().signal })));
}

describe('the batch answers createFetchTransport remembers for their ETags', () => {
  // With no job tracked, 16 batch URLs are remembered (`maxRememberedBatches`).
  const bound = 16;

  it('keeps the ETags of the batches polled every interval while one-off batches come and go', async () => {
    const server = await etagServer();
    const transport = createFetchTransport({ baseUrl: server.url });
    const steady = [['1', '2'], ['3', '4'], ['5', '6']];
    const firstAnswers = new Map<string, unknown>();
    // 30 intervals: the three steady batches, and one batch seen only once (a watch that came
    // and went): 33 URLs in all, twice the bound; 4 distinct URLs in any one interval.
    for (let interval = 0; interval < 30; interval += 1) {
      for (const ids of steady) {
        const answer = await batch(transport, ids);
        const key = ids.join(',');
        if (interval === 0) firstAnswers.set(key, answer);
        // 304: the remembered body itself, not parsed again.
        else expect(answer, `batch ${key} in interval ${interval}`).toBe(firstAnswers.get(key));
      }
      await batch(transport, [`once-${interval}`]);
    }
    const steadyRequests = server.requests.filter((request) => !request.url.includes('once-'));
    expect(steadyRequests).toHaveLength(90);
    // Only the first request of each steady batch goes out without If-None-Match.
    expect(steadyRequests.filter((request) => request.headers['if-none-match'] === undefined).map((request) => request.url)).toEqual([
      '/jobs/1,2',
      '/jobs/3,4',
      '/jobs/5,6',
    ]);
  });

  it('still forgets a batch once as many other batch URLs as the bound were used after it', async () => {
    const server = await etagServer();
    const transport = createFetchTransport({ baseUrl: server.url });
    await batch(transport, ['old']);
    for (let index = 0; index < bound - 1; index += 1) await batch(transport, [`other-${index}`]);
    await batch(transport, ['old']); // 15 others since: still remembered
    expect(server.requests.at(-1)!.headers['if-none-match']).toMatch(/^W\/"/);
    for (let index = 0; index < bound; index += 1) await batch(transport, [`more-${index}`]);
    await batch(transport, ['old']); // 16 others since: forgotten, asked for in full
    expect(server.requests.at(-1)!.url).toBe('/jobs/old');
    expect(server.requests.at(-1)!.headers['if-none-match']).toBeUndefined();
  });
});
