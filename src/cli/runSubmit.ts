import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isOrdoError, type JobRequest, type OrdoClient } from 'ordo-status';
import { failureCause, printable } from './format.js';
import { exitCodes } from './runWatch.js';

/** Where `ordo-status submit` reads from and writes to: injectable, so tests need no files, stdin or process. */
export interface SubmitIO {
  /** Reads a file as UTF-8 text (`fs.promises.readFile(path, 'utf8')`). */
  readFile(path: string): Promise<string>;
  /** Reads all of standard input as UTF-8 text (for the file name `-`). */
  readStdin(): Promise<string>;
  /** Standard output. */
  out(text: string): void;
  /** Standard error. */
  err(text: string): void;
}

/** The process's own files, stdin, stdout and stderr. */
export const processSubmitIO: SubmitIO = {
  readFile: (path) => readFile(path, 'utf8'),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  },
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** How a submission ended: the exit code, the new job's id when it was created, and why not otherwise. */
export interface SubmitOutcome {
  readonly exitCode: number;
  /** The new job's id (`"42"`), when the server created one. */
  readonly id?: string;
  /** A usage error (exit 2) to report the way the command line reports its own: names the file and the problem. */
  readonly usage?: string;
  /** The error's code (`AUTH`, `HTTP`, `NETWORK`…) when the submission failed. */
  readonly errorCode?: string;
}

/**
 * Where the package's reference request, `examples/piney-dam-job.json`, is on this machine: beside
 * `dist/` (the CLI is `dist/cli.js`), relative to `cwd` when it is below it
 * (`node_modules/ordo-status/examples/piney-dam-job.json`), absolute otherwise.
 */
export function referenceRequestPath(cwd: string = process.cwd(), cliUrl: string = import.meta.url): string {
  const path = fileURLToPath(new URL('../examples/piney-dam-job.json', cliUrl));
  const fromCwd = relative(cwd, path);
  return fromCwd !== '' && !fromCwd.startsWith('..') && !isAbsolute(fromCwd) ? fromCwd : path;
}

/** A path as one shell word: as it is when it has only safe characters, else in single quotes. */
export function shellWord(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** A file or stdin that does not hold a job request: the message names the source and the problem. */
class RequestSourceError extends Error {}

/** What a file name is called in messages: `-` is standard input. */
export function sourceName(source: string): string {
  return source === '-' ? 'stdin' : source;
}

/** Why a file could not be read, in words, from Node's error code. */
function readProblem(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot be read (${error instanceof Error ? error.message : String(error)})`;
}

/**
 * Reads the JSON job request of `ordo-status submit <file|->`: the file's text, or all of stdin for
 * `-`, parsed as JSON. Only its JSON is checked here; its shape is checked by `submitJob` itself
 * (one rule, in the library).
 *
 * @param source - a file path, or `-` for standard input.
 * @returns the parsed JSON value.
 * @throws an error whose message names the source and the problem: `job.json: no such file`,
 *   `stdin: empty, expected a JSON job request`, `job.json: not JSON (Unexpected token …)`.
 */
export async function readJobRequest(source: string, io: Pick<SubmitIO, 'readFile' | 'readStdin'>): Promise<unknown> {
  const name = sourceName(source);
  let text: string;
  try {
    text = source === '-' ? await io.readStdin() : await io.readFile(source);
  } catch (error) {
    throw new RequestSourceError(`${name}: ${readProblem(error)}`);
  }
  // A byte order mark is not JSON, but editors on some systems write one.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new RequestSourceError(`${name}: empty, expected a JSON job request such as {"recipe_id": 3, "inputs": {…}}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RequestSourceError(`${name}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * `ordo-status submit <file|->`: reads the request, submits it once (`client.submitJob`, never
 * retried) and, with `print`, writes the new id on stdout: the id and a newline (so
 * `id=$(ordo-status submit job.json)` works), or `{"id":"42"}` with `json`. A file that cannot be
 * read, is not JSON or is not a job request is a usage error naming the file; a failed submission
 * is written on stderr (exit 1), saying whether the job may have been created.
 *
 * @param options - `print` (false when the caller goes on to watch the job: then the id goes to
 *   stderr as `submitted job 42`), `json`, `signal` (Ctrl-C).
 */
export async function runSubmit(
  client: OrdoClient,
  source: string,
  io: SubmitIO,
  options: { print: boolean; json: boolean; signal?: AbortSignal | undefined },
): Promise<SubmitOutcome> {
  let request: unknown;
  try {
    request = await readJobRequest(source, io);
  } catch (error) {
    if (error instanceof RequestSourceError) return { exitCode: exitCodes.usage, usage: error.message };
    throw error;
  }
  let id: string;
  try {
    id = await client.submitJob(request as JobRequest, { signal: options.signal });
  } catch (error) {
    // The library refuses a body that is not a job request before sending anything.
    if (error instanceof TypeError) return { exitCode: exitCodes.usage, usage: `${sourceName(source)}: ${error.message.replace(/^submitJob: /, '')}` };
    if (options.signal?.aborted && error === options.signal.reason) {
      io.err('ordo-status: interrupted; the job may have been created\n');
      return { exitCode: (error as { signal?: unknown }).signal === 'SIGTERM' ? exitCodes.terminated : exitCodes.interrupted };
    }
    const code = isOrdoError(error) ? error.code : 'UNEXPECTED';
    // Server text (an error body's reason, a Location) is escaped: it cannot move the cursor.
    io.err(`ordo-status: ${printable(error instanceof Error ? error.message : String(error))}\n`);
    // What to check, only when the request never left (a refused port, DNS, TLS): a request that
    // reached the server says nothing about the base URL.
    if (isOrdoError(error) && error.code === 'NETWORK' && (error as { retryable?: unknown }).retryable === true) {
      const { hint } = failureCause(error);
      if (hint) io.err(`ordo-status: hint: ${hint.replace('--base-url', '--base-url (or $ORDO_BASE_URL)')}\n`);
    }
    return { exitCode: exitCodes.error, errorCode: code };
  }
  if (options.print) io.out(options.json ? `${JSON.stringify({ id })}\n` : `${id}\n`);
  else io.err(`submitted job ${id}\n`);
  return { exitCode: exitCodes.success, id };
}
