import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isOrdoError, OrdoError, OrdoSchemaError, parseJobSnapshot } from 'ordo-status';

// The entries as built (dist/): CommonJS beside ESM, the browser build of ./testing, and the root
// entry imported with browser globals watched.

describe('the CommonJS build', () => {
  const http = { status: 500, url: 'https://x/jobs/1' };

  it('isOrdoError recognises errors from the other build (CommonJS beside ESM)', () => {
    const cjs = createRequire(import.meta.url)('../../dist/index.cjs') as typeof import('ordo-status');
    const foreign = new cjs.OrdoNotFoundError('m', { ...http, status: 404 });
    expect(foreign).not.toBeInstanceOf(OrdoError);
    expect(isOrdoError(foreign)).toBe(true);
    expect(cjs.isOrdoError(new OrdoSchemaError('m', { issues: [] }))).toBe(true);
  });
});

describe('ordo-status/testing in a browser bundle', () => {
  const browserEntry = new URL('../../dist/testing/browser.js', import.meta.url);

  it('is resolved by the browser condition and imports no Node built-in or server library', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(manifest.exports['./testing'].browser.default).toBe('./dist/testing/browser.js');
    const code = readFileSync(browserEntry, 'utf8');
    const imports = [...code.matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1]);
    expect(new Set(imports)).toEqual(new Set(['ordo-status', 'rxjs']));
    expect(code).not.toMatch(/node:|express|require\(/);
  });

  it('has the kit, and a simulator that says it needs Node', async () => {
    const browser = (await import(/* @vite-ignore */ browserEntry.href)) as typeof import('ordo-status/testing');
    expect(parseJobSnapshot(browser.jobBody({ status: 'success' })).job.status).toBe('success');
    await expect(browser.startOrdoSimulator()).rejects.toThrow(/needs Node/);
  });
});

describe('importing the root entry', () => {
  it('touches neither document nor window (server-side rendering, Node)', async () => {
    const touched: string[] = [];
    const globals = globalThis as Record<string, unknown>;
    for (const name of ['document', 'window', 'navigator', 'location']) {
      Object.defineProperty(globals, name, {
        configurable: true,
        get: () => {
          touched.push(name);
          return undefined;
        },
      });
    }
    try {
      const url = `${new URL('../../dist/index.js', import.meta.url).href}?fresh=${Date.now()}`;
      const fresh = (await import(/* @vite-ignore */ url)) as { createOrdoClient: unknown };
      expect(typeof fresh.createOrdoClient).toBe('function');
    } finally {
      for (const name of ['document', 'window', 'navigator', 'location']) delete globals[name];
    }
    expect(touched.filter((name) => name !== 'navigator')).toEqual([]);
  });
});
