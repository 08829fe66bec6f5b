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
// 143 terminated (SIGTERM). Delivery is at least once: a line is written before the state
// that covers it, so a crash in between repeats that one line after the restart.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { catchError, EMPTY, fromEvent, map, merge, of, race, takeUntil } from 'rxjs';
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
const ids = [];
for (const id of positionals) {
  try {
    ids.push(normalizeJobId(id));
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
    if (stored?.version !== 1 || typeof stored.jobs !== 'object') throw new Error('not a version 1 state file');
    state.jobs = stored.jobs;
  } catch (error) {
    console.error(`watch-jobs: cannot read ${statePath}: ${error.message}`);
    process.exit(1);
  }
}

/** Writes the state whole or not at all: a crash mid-write leaves the previous file. */
function saveState() {
  const temporary = `${statePath}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state));
  renameSync(temporary, statePath);
}

const ordo = createOrdoClient({ baseUrl: values['base-url'], token: process.env.ORDO_TOKEN, intervalMs });
const interrupted$ = fromEvent(process, 'SIGINT').pipe(map(() => 130));
const terminated$ = fromEvent(process, 'SIGTERM').pipe(map(() => 143));
let signalled;
const stop$ = race(interrupted$, terminated$).pipe(map((code) => (signalled = code)));

const lines$ = merge(
  ...ids.map((jobId) => {
    const stored = state.jobs[jobId];
    const resumeFrom = stored === undefined ? undefined : jobSnapshotFromJSON(stored);
    return ordo.jobEvents$(jobId, { resumeFrom }).pipe(
      map((event) => ({ jobId, event })),
      catchError((error) => of({ jobId, error })),
    );
  }),
).pipe(takeUntil(stop$));

const outcomes = new Map(ids.map((id) => [id, state.jobs[id] ? jobSnapshotFromJSON(state.jobs[id]).job.status : 'pending']));
for await (const { jobId, event, error } of eachValueFrom(lines$)) {
  if (error !== undefined) {
    outcomes.set(jobId, 'error');
    process.stdout.write(`${JSON.stringify({ type: 'error', jobId, code: error.code ?? null, message: String(error.message ?? error) })}\n`);
    continue;
  }
  const line = {
    type: event.type,
    jobId,
    ...(event.type === 'step' ? { stepId: event.stepId } : {}),
    from: event.from,
    to: event.to,
    inferred: event.inferred,
    progress: event.snapshot.progress.fraction,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  state.jobs[jobId] = event.snapshot;
  if (event.type === 'job') outcomes.set(jobId, event.to);
  saveState();
}

saveState();
if (signalled !== undefined) process.exit(signalled);
const ends = [...outcomes.values()];
process.exit(ends.includes('error') ? 1 : ends.every((status) => status === 'success') ? 0 : 3);
