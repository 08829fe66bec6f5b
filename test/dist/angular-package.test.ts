import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const importsOf = (code: string) => new Set([...code.matchAll(/^import [\s\S]*? from "([^"]+)";$/gm)].map((match) => match[1]));

describe('the package keeps Angular in ./angular alone', () => {
  it('exports ./angular as ESM with types; @angular/core and @angular/common are optional peers', () => {
    const manifest = JSON.parse(read('package.json'));
    expect(manifest.exports['./angular']).toEqual({ types: './dist/angular/index.d.ts', default: './dist/angular/index.js' });
    expect(manifest.peerDependencies).toMatchObject({ '@angular/core': '>=20.0.0', '@angular/common': '>=20.0.0' });
    expect(manifest.peerDependenciesMeta).toEqual({ '@angular/core': { optional: true }, '@angular/common': { optional: true } });
  });

  it('the built ./angular imports Angular, rxjs and the root entry by name, and bundles none of them', () => {
    const code = read('dist/angular/index.js');
    expect(importsOf(code)).toEqual(new Set(['@angular/common', '@angular/common/http', '@angular/core', 'rxjs', 'ordo-status']));
    expect(code).not.toMatch(/node:|require\(|class OrdoError/);
  });

  it('the root entry (ESM and CJS) mentions no Angular', () => {
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts']) expect(read(file)).not.toMatch(/@angular|zone\.js/);
  });
});
