// Packs the library and builds the Angular example against the tarball, as a user would
// install it: npm ci in examples/angular, then the packed ordo-status without touching its lock.
// Builds the SSR app twice (zoneless and with zone.js), then runs the example's unit tests.
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = fileURLToPath(new URL('../examples/angular/', import.meta.url));
const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: 'inherit' });

const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', example], { cwd: root }).toString().trim().split('\n').at(-1);
copyFileSync(`${example}${packed}`, `${example}ordo-status.tgz`);
rmSync(`${example}${packed}`);
run('npm', ['ci', '--no-audit', '--no-fund'], example);
run('npm', ['install', '--no-save', '--no-audit', '--no-fund', './ordo-status.tgz'], example);
rmSync(`${example}dist`, { recursive: true, force: true });
run('npx', ['ng', 'build', '--configuration', 'zoneless'], example);
run('npx', ['ng', 'build', '--configuration', 'zone'], example);
// The example's own unit tests: TestBed and HttpTestingController answering with ordo-status/testing's jobBody.
run('npx', ['ng', 'test', '--watch=false'], example);
