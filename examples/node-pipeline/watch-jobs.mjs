#!/usr/bin/env node
// Watches many Ordo jobs and writes one NDJSON line per transition to stdout, for a pipeline
// (jq, a log shipper, a queue). Survives restarts: the last snapshot of each job is kept in a
// state file, and a restarted run resumes from it, emitting only what happened after.
//
//   node watch-jobs.mjs --base-url http://127.0.0.1:4010 --state jobs.state.json 12 13 14
//
// The token comes from ORDO_TOKEN, the base URL from --base-url or ORDO_BASE_URL.
// Exit status: 0 every job succeeded, 3 a job failed or ended partial, 1 a job could not be
// watched (its error is a line on stdout too), 2 bad arguments, 130 interrupted (SIGINT),
// 143 terminated (SIGTERM). Delivery is at least once: the state moves on to a snapshot only
// after every line of that snapshot is written, so a crash in between repeats that snapshot's
// lines after the restart, and never skips one.
//
// The library does the watching: `watchJobs$` merges the jobs, hands over each snapshot with the
// events it brought, and reports a job that cannot be watched as that job's outcome while the
// others go on. This script only writes lines and keeps the state file.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fromEvent, map, race, takeUntil } from 'rxjs';
import { eachValueFrom } from 'rxjs-for-await';
import { createOrdoClient, jobSnapshotFromJSON, normalizeJobId } from 'ordo-status';

const usage = 'usage: watch-jobs.mjs --base-url URL [--state FILE] [--interval MS] JOB_ID...';

function fail(message) {
  console.error(`watch-jobs: ${message}\n${usage}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      'base-url': { type: 'string', default: process.env.ORDO_BASE_URL },
      state: { type: 'string', default: 'watch-jobs.state.json' },
      interval: { type: 'string', default: '3000' },
    },
  });
} catch (error) {
  fail(error.message);
}
const { values, positionals } = args;
if (!values['base-url']) fail('--base-url (or ORDO_BASE_URL) is required');
if (positionals.length === 0) fail('give at least one job id');
const intervalMs = Number(values.interval);
if (!Number.isInteger(intervalMs) || intervalMs < 1) fail(`--interval ${values.interval}: expected a whole number of milliseconds`);
// Checked before the state file is touched (watchJobs$ would refuse them too, and drops duplicates).
for (const id of positionals) {
  try {
    normalizeJobId(id);
  } catch (error) {
    fail(error.message);
  }
}

// The state file: { "version": 1, "jobs": { "<id>": <JobSnapshot as JSON> } }.
const statePath = values.state;
const state = { version: 1, jobs: {} };
if (existsSync(statePath)) {
  try {
    const stored = JSON.parse(readFileSync(statePath, 'utf8'));
    const jobs = stored?.jobs;
    if (stored?.version !== 1 || jobs === null || typeof jobs !== 'object' || Array.isArray(jobs)) throw new Error('not a version 1 state file');
    state.jobs = jobs;
  } catch (error) {
    console.error(`watch-jobs: cannot read ${statePath}: ${error.message}`);
    process.exit(1);
  }
}

/** One NDJSON line. Writes to a pipe or file are synchronous in Node on Linux: written means handed over. */
function write(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
// The reader went away (`| head`): stop at once, without recording what it did not read.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  console.error('watch-jobs: stdout was closed; the state file keeps the last snapshot whose lines were all written');
  process.exit(1);
});

/** Writes the state whole or not at all: a crash mid-write leaves the previous file. */
function saveState() {
  const temporary = `${statePath}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, JSON.stringify(state));
    renameSync(temporary, statePath);
  } catch (error) {
    console.error(`watch-jobs: cannot write ${statePath}: ${error.message}`);
    process.exit(1);
  }
}
// Find out now, before any line is written, whether the state can be kept.
saveState();

let ordo;
try {
  ordo = createOrdoClient({ baseUrl: values['base-url'], token: process.env.ORDO_TOKEN, intervalMs });
} catch (error) {
  fail(error.message); // a base URL or interval the library refuses
}

/**
 * Where a job resumes from: its stored snapshot, or `undefined` to start from `pending`. It throws
 * for an entry that cannot be used: watchJobs$ then reports that job's error, the others go on.
 */
function storedSnapshot(jobId) {
  if (!Object.hasOwn(state.jobs, jobId)) return undefined;
  try {
    const snapshot = jobSnapshotFromJSON(state.jobs[jobId]);
    if (snapshot.job.id !== jobId) throw new Error(`it holds a snapshot of job ${snapshot.job.id}`);
    return snapshot;
  } catch (error) {
    throw new Error(`the state file's entry for job ${jobId} cannot be used (${error.message}); remove it to watch the job from the start`, { cause: error });
  }
}
const interrupted$ = fromEvent(process, 'SIGINT').pipe(map(() => 130));
const terminated$ = fromEvent(process, 'SIGTERM').pipe(map(() => 143));
let signalled;
const stop$ = race(interrupted$, terminated$).pipe(map((code) => (signalled = code)));

// Each update is one job's snapshot with the events it brought, or the error that ended its
// watch. The loop writes a snapshot's lines, and only then records the snapshot: so the state
// never claims an event that was not written. Each job ends with one outcome: a terminal
// snapshot (a job the state file says ended comes once, with no events and no request), or an
// error; the stream completes when every job has one.
const updates$ = ordo.watchJobs$(positionals, { resumeFrom: storedSnapshot }).pipe(takeUntil(stop$));

const outcomes = new Map();
for await (const update of eachValueFrom(updates$)) {
  const { jobId } = update;
  if (update.type === 'error') {
    const { error } = update;
    outcomes.set(jobId, 'error');
    write({ type: 'error', jobId, code: error?.code ?? null, message: String(error?.message ?? error) });
    continue;
  }
  for (const event of update.events) {
    write({
      type: event.type,
      jobId,
      ...(event.type === 'step' ? { stepId: event.stepId } : {}),
      from: event.from,
      to: event.to,
      inferred: event.inferred,
      progress: event.snapshot.progress.fraction,
    });
  }
  state.jobs[jobId] = update.snapshot;
  outcomes.set(jobId, update.snapshot.job.status);
  saveState();
}

saveState();
if (signalled !== undefined) process.exit(signalled);
const ends = [...outcomes.values()];
process.exit(ends.includes('error') ? 1 : ends.every((status) => status === 'success') ? 0 : 3);
