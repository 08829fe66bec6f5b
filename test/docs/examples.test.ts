import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { embedded, exampleOf } from '../../scripts/embed-examples.mjs';

describe('every example in the docs is a test', () => {
  for (const doc of ['docs/testing.md', 'docs/node.md']) {
    it(`${doc} shows the example tests as they are`, () => {
      const text = readFileSync(new URL(`../../${doc}`, import.meta.url), 'utf8');
      const files = [...text.matchAll(/<!-- example: (\S+) -->/g)].map((match) => match[1]!);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(text).toContain(`\`\`\`ts\n${(exampleOf as (file: string) => string)(file)}\n\`\`\``);
      expect((embedded as (doc: string) => string)(text)).toBe(text);
    });
  }
});
