import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The captured real-server responses, copied from ../shared/fixtures/ordo-server. */
export const fixturesDir = fileURLToPath(new URL('../fixtures/ordo-server/', import.meta.url));

export interface Fixture {
  /** e.g. `success/024.json` */
  readonly name: string;
  readonly text: string;
  readonly body: any;
}

/** The bodies of one scenario folder, in capture order. */
export function loadScenario(scenario: 'success' | 'failed' | 'errors' | 'batch'): Fixture[] {
  return readdirSync(`${fixturesDir}${scenario}`)
    .filter((file) => /^\d{3}\.json$/.test(file))
    .sort()
    .map((file) => {
      const text = readFileSync(`${fixturesDir}${scenario}/${file}`, 'utf8');
      return { name: `${scenario}/${file}`, text, body: text === '' ? undefined : JSON.parse(text) };
    });
}

/** Every captured `GET /jobs/:id` job body (single-job answers and found batch elements). */
export function allJobBodies(): Fixture[] {
  const single = [...loadScenario('success'), ...loadScenario('failed'), ...loadScenario('errors')].filter(
    (fixture) => fixture.body && typeof fixture.body === 'object' && 'job' in fixture.body,
  );
  const batch = loadScenario('batch').flatMap((fixture) => {
    if (Array.isArray(fixture.body)) {
      return fixture.body
        .filter((element: any) => element.found)
        .map((element: any, index: number) => {
          const { id: _id, found: _found, ...body } = element;
          return { name: `${fixture.name}[${index}]`, text: JSON.stringify(body), body };
        });
    }
    return fixture.body && 'job' in fixture.body ? [fixture] : [];
  });
  return [...single, ...batch];
}

/** A deep copy of a body without the keys servers before 1.1 do not send. */
export function withoutV11Fields(body: any): any {
  const { progress: _progress, duration_ms: _duration, timeline: _timeline, ...rest } = structuredClone(body);
  return rest;
}
