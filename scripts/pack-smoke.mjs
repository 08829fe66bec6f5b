// Pack smoke test: installs the packed tarball in a scratch project, the way a user gets it, and
// checks that every entry works there: ESM and CJS at run time (against the simulator), the
// declarations under TypeScript's bundler and node16 resolution, and the CLI bin.
//
//   node scripts/pack-smoke.mjs            (npm run test:pack)
//   KEEP_PACK_SMOKE=1 node scripts/pack-smoke.mjs   keeps the scratch directory for debugging
//
// Needs the npm registry (rxjs and typescript for the scratch project, the package's
// dependencies). `npx --yes=false` runs the installed bin and never downloads one (`--no` is
// misparsed by npm 11). Prints PASS / FAIL per check and exits 1 when any check fails.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const keep = Boolean(process.env.KEEP_PACK_SMOKE);
const work = mkdtempSync(join(tmpdir(), 'ordo-status-pack-smoke-'));
const packDir = join(work, 'pack');
const app = join(work, 'app');
mkdirSync(packDir);
mkdirSync(app);

const cleanUp = () => {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanUp();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

// `npm run test:pack` exports the repository's npm_package_* / npm_config_local_prefix: the
// scratch project must not inherit them.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_(package_|lifecycle_|config_local_prefix$)/i.test(key)),
);

function run(command, args, cwd, timeoutMs = 60_000) {
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    shell: process.platform === 'win32',
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.error) return { ok: false, output: `${result.error.message}\n${output}` };
  if (result.status !== 0) return { ok: false, output: `exit ${result.status ?? result.signal}\n${output}` };
  return { ok: true, output };
}

const results = [];
function check(label, body) {
  const started = performance.now();
  let failure;
  try {
    const outcome = body();
    if (outcome && !outcome.ok) failure = outcome.output;
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  results.push({ label, ok: !failure });
  console.log(`${failure ? 'FAIL' : 'PASS'}  ${label} (${seconds} s)`);
  if (failure) console.log(failure.split('\n').slice(-40).map((line) => `      ${line}`).join('\n'));
  return !failure;
}
const skip = (label) => {
  results.push({ label, ok: false });
  console.log(`SKIP  ${label} (an earlier step failed)`);
};

// ---- the scratch project ----

function writeApp(tarball) {
  const files = {
    'package.json': JSON.stringify(
      {
        name: 'ordo-status-pack-smoke',
        private: true,
        dependencies: { [name]: `file:${tarball}`, rxjs: '7.8.2', typescript: '5.9.3' },
      },
      null,
      2,
    ),

    // (a) ESM at run time: a whole watch against the simulator.
    'esm.mjs': `
import assert from 'node:assert/strict';
import { lastValueFrom, tap } from 'rxjs';
import { createFetchTransport, jobStatus$, OrdoError, OrdoJobFailedError, OrdoSchemaError, parseJobSnapshot, waitForJob } from 'ordo-status';
import { pineyDamJobRequest, startOrdoSimulator } from 'ordo-status/testing';

assert.match(import.meta.resolve('ordo-status'), /\\/node_modules\\/ordo-status\\/dist\\/index\\.js$/);
const sim = await startOrdoSimulator({ speed: 20 });
try {
  const transport = createFetchTransport({ baseUrl: sim.url, token: sim.token });
  const ok = await sim.submitJob(pineyDamJobRequest);
  const bad = await sim.submitJob(undefined, { scenario: 'failed' });
  const seen = [];
  const [last, failure] = await Promise.all([
    lastValueFrom(jobStatus$(ok.id, { transport, intervalMs: 50, timeoutMs: 30_000 }).pipe(tap((s) => seen.push(s.job.status)))),
    waitForJob(bad.id, { transport, intervalMs: 50, timeoutMs: 30_000 }).then(
      () => assert.fail('waitForJob resolved for a failed job'),
      (error) => error,
    ),
  ]);
  assert.equal(last.job.id, String(ok.id));
  assert.equal(last.job.status, 'success');
  assert.equal(last.progress.fraction, 1);
  assert.ok(seen.length > 1 && seen[0] !== 'success', 'watched more than the final snapshot: ' + seen.join(','));
  assert.ok(failure instanceof OrdoJobFailedError && failure instanceof OrdoError, String(failure));
  assert.equal(failure.code, 'JOB_FAILED');
  assert.equal(failure.snapshot.job.status, 'failed');
  assert.equal(parseJobSnapshot(last.raw, { jobId: ok.id }).job.status, 'success');
  assert.throws(
    () => parseJobSnapshot({ job: { id: 1, status: 'exploded' }, steps: [] }),
    (error) => error instanceof OrdoSchemaError && error.code === 'SCHEMA' && error.issues.length > 0,
  );
} finally {
  await sim.close();
}
`,

    // (b) CJS at run time: require() of both entries, a parse and a short watch.
    'cjs.cjs': `
const assert = require('node:assert/strict');
const { createOrdoClient, OrdoError, OrdoSchemaError, parseJobSnapshot } = require('ordo-status');
const { startOrdoSimulator } = require('ordo-status/testing');

assert.match(require.resolve('ordo-status'), /[\\\\/]node_modules[\\\\/]ordo-status[\\\\/]dist[\\\\/]index\\.cjs$/);
assert.match(require.resolve('ordo-status/testing'), /[\\\\/]dist[\\\\/]testing[\\\\/]index\\.cjs$/);
assert.equal(require('ordo-status/package.json').version, ${JSON.stringify(version)});
assert.equal(parseJobSnapshot({ job: { id: 7, status: 'running' }, steps: [] }).job.status, 'running');
assert.throws(
  () => parseJobSnapshot({ job: { id: 7, status: 'exploded' }, steps: [] }),
  (error) => error instanceof OrdoSchemaError && error instanceof OrdoError && error.code === 'SCHEMA',
);
(async () => {
  const sim = await startOrdoSimulator({ speed: 20 });
  try {
    const { id } = await sim.submitJob();
    const done = await createOrdoClient({ baseUrl: sim.url, token: sim.token }).waitForJob(id, { intervalMs: 50, timeoutMs: 30_000 });
    assert.equal(done.job.status, 'success');
  } finally {
    await sim.close();
  }
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`,

    // (c) Types. Each file has @ts-expect-error lines: they fail the check if a type is \`any\`.
    'types-esm.ts': typesEsm(),
    'types-node16.mts': typesEsm(),
    'types-node16.cts': `
import { createOrdoClient, OrdoSchemaError, parseJobSnapshot, type JobSnapshot, type JobStatus, type OrdoClient } from 'ordo-status';
import { startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';
import ordo = require('ordo-status');

declare const body: unknown;
const s: JobSnapshot = parseJobSnapshot(body);
s.job.status satisfies JobStatus;
ordo.jobStatuses satisfies readonly JobStatus[];
// @ts-expect-error a job status is not a number
const wrong: number = s.job.status;

export async function main(): Promise<JobSnapshot> {
  const sim: OrdoSimulator = await startOrdoSimulator({ speed: 10 });
  const client: OrdoClient = createOrdoClient({ baseUrl: sim.url, token: sim.token });
  try {
    return await client.waitForJob((await sim.submitJob()).id);
  } catch (error) {
    if (error instanceof OrdoSchemaError) error.code satisfies 'SCHEMA';
    throw error;
  }
}
`,
    // (e) the shipped reference request, submitted and watched by the installed bin.
    'submit.mjs': `
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pineyDamJobRequest, startOrdoSimulator } from 'ordo-status/testing';

const file = 'node_modules/ordo-status/examples/piney-dam-job.json';
assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), pineyDamJobRequest);
const sim = await startOrdoSimulator({ speed: 20 });
try {
  // Asynchronous: the simulator answers from this process while the bin runs.
  const bin = process.platform === 'win32' ? 'node_modules/.bin/ordo-status.cmd' : 'node_modules/.bin/ordo-status';
  const { status, stdout, stderr } = await new Promise((resolve) => {
    const env = { ...process.env, ORDO_BASE_URL: sim.url, ORDO_TOKEN: sim.token };
    execFile(bin, ['submit', file, '--watch', '--json', '--interval', '100ms'], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? (error.code ?? error.signal) : 0, stdout, stderr }),
    );
  });
  assert.equal(status, 0, stderr);
  assert.equal(stderr, 'submitted job 1\\n');
  const final = JSON.parse(stdout.trim().split('\\n').at(-1));
  assert.equal(final.job.status, 'success');
} finally {
  await sim.close();
}
`,
    // (f) the relay: the installed bin serves a job, and the client receives it pushed.
    'relay.mjs': `
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createOrdoClient } from 'ordo-status';
import { createRedisRelayStore, createRelay } from 'ordo-status/relay';
import { startOrdoSimulator } from 'ordo-status/testing';

assert.equal(typeof createRelay, 'function');
assert.equal(typeof createRedisRelayStore, 'function');
assert.equal(typeof createRequire(import.meta.url)('ordo-status/relay').createRelay, 'function');
const sim = await startOrdoSimulator({ speed: 20 });
const bin = process.platform === 'win32' ? 'node_modules/.bin/ordo-status.cmd' : 'node_modules/.bin/ordo-status';
const relayToken = 'pack-smoke-relay-token-0123456789';
const env = { ...process.env, ORDO_BASE_URL: sim.url, ORDO_TOKEN: sim.token, ORDO_RELAY_TOKEN: relayToken };
const child = spawn(bin, ['relay', '--port', '0', '--interval', '100ms'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const found = /listening on (http:\\/\\/\\S+)/.exec(out);
      if (found) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(\`the relay exited with \${code}: \${out}\`)));
  });
  const { id } = await sim.submitJob();
  const requests = [];
  const client = createOrdoClient({ relay: url, token: relayToken, fetch: (input, init) => (requests.push(String(input)), fetch(input, init)) });
  const done = await client.waitForJob(id);
  assert.equal(done.job.status, 'success');
  assert.deepEqual(requests, [\`\${url}/jobs/\${id}/events\`]);
} finally {
  child.kill('SIGINT');
  await sim.close();
}
`,
    'tsconfig.bundler.json': tsconfig({ module: 'preserve', moduleResolution: 'bundler' }, ['types-esm.ts']),
    'tsconfig.node16.json': tsconfig({ module: 'node16', moduleResolution: 'node16' }, ['types-node16.mts', 'types-node16.cts']),
  };
  for (const [file, text] of Object.entries(files)) writeFileSync(join(app, file), `${text.trim()}\n`);
}

function typesEsm() {
  return `
import { lastValueFrom, type Observable } from 'rxjs';
import {
  createFetchTransport,
  jobStatus$,
  OrdoSchemaError,
  parseJobSnapshot,
  type JobEvent,
  type JobSnapshot,
  type JobStatus,
  type JobTransport,
} from 'ordo-status';
import { startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';

declare const body: unknown;
const s: JobSnapshot = parseJobSnapshot(body);
s.job.status satisfies JobStatus;
s.progress.fraction satisfies number;
// @ts-expect-error a job status is not a number
const wrong: number = s.job.status;

const sim: OrdoSimulator = await startOrdoSimulator({ speed: 10 });
const transport: JobTransport = createFetchTransport({ baseUrl: sim.url, token: sim.token });
const status$: Observable<JobSnapshot> = jobStatus$(1, { transport });
const last: JobSnapshot = await lastValueFrom(status$);
// @ts-expect-error ids are strings or numbers
jobStatus$({ id: 1 }, { transport });
// @ts-expect-error speed is a number
await startOrdoSimulator({ speed: 'fast' });

export function describe(error: unknown, event: JobEvent): string {
  if (error instanceof OrdoSchemaError) return error.issues.map((issue) => issue.path).join(', ');
  return event.type === 'step' ? event.stepId : \`\${event.from} → \${event.to} (\${last.job.id})\`;
}
`;
}

function tsconfig(resolution, files) {
  return JSON.stringify(
    {
      compilerOptions: {
        ...resolution,
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: [],
        strict: true,
        noEmit: true,
        // The package's declarations (and those they import) are checked too.
        skipLibCheck: false,
      },
      files,
    },
    null,
    2,
  );
}

// ---- the checks ----

const total = performance.now();
try {
  let tarball;
  const packed = check('npm pack', () => {
    const result = run('npm', ['pack', '--silent', '--pack-destination', packDir], root, 120_000);
    if (!result.ok) return result;
    const found = readdirSync(packDir).filter((file) => file.endsWith('.tgz'));
    if (found.length !== 1) return { ok: false, output: `expected one tarball in ${packDir}, found ${found.join(', ') || 'none'}` };
    tarball = join(packDir, found[0]);
    return { ok: true };
  });
  const installed =
    packed &&
    check('npm install (scratch project: tarball, rxjs 7.8.2, typescript 5.9.3)', () => {
      writeApp(tarball);
      return run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app, 120_000);
    });
  const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
  const checks = [
    ['ESM: import ordo-status and ordo-status/testing, watch a job on the simulator', () => run(process.execPath, ['esm.mjs'], app)],
    ['CJS: require ordo-status and ordo-status/testing, parse, OrdoSchemaError, watch a job', () => run(process.execPath, ['cjs.cjs'], app)],
    ['types: tsc --noEmit, module preserve + moduleResolution bundler', () => run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], app)],
    ['types: tsc --noEmit, module node16 + moduleResolution node16 (.mts, .cts)', () => run(process.execPath, [tsc, '-p', 'tsconfig.node16.json'], app)],
    ['bin: ordo-status submit examples/piney-dam-job.json --watch (the shipped request) runs to success on the simulator', () => run(process.execPath, ['submit.mjs'], app)],
    ['relay: ordo-status relay (the installed bin) serves a job that createOrdoClient({ relay }) receives pushed; ordo-status/relay imports and requires', () => run(process.execPath, ['relay.mjs'], app)],
    [
      'bin: npx ordo-status --help exits 0, --version prints the version',
      () => {
        const help = run('npx', ['--yes=false', 'ordo-status', '--help'], app);
        if (!help.ok) return help;
        if (!help.output.includes('Usage: ordo-status')) return { ok: false, output: `unexpected help:\n${help.output}` };
        const shown = run('npx', ['--yes=false', 'ordo-status', '--version'], app);
        if (!shown.ok) return shown;
        return shown.output === version ? shown : { ok: false, output: `--version printed ${JSON.stringify(shown.output)}, expected ${version}` };
      },
    ],
  ];
  for (const [label, body] of checks) {
    if (installed) check(label, body);
    else skip(label);
  }
} finally {
  cleanUp();
}

const failed = results.filter((result) => !result.ok).length;
const seconds = ((performance.now() - total) / 1000).toFixed(1);
console.log(failed ? `pack smoke test: ${failed} of ${results.length} checks FAILED (${seconds} s)` : `pack smoke test: all ${results.length} checks passed (${seconds} s)`);
process.exitCode = failed ? 1 : 0;
