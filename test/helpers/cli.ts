import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI, as installed users run it (`npm test` builds it first). */
export const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
  /** Resolves with stdout so far once it matches. */
  waitForOutput(pattern: RegExp): Promise<string>;
  /** Resolves with stderr so far once it matches. */
  waitForError(pattern: RegExp): Promise<string>;
}

/**
 * Starts `node dist/cli.js …args` with a clean environment (no ORDO_* unless given).
 * `readDelayMs` leaves stdout unread for that long, like a slow reader at the end of a pipe.
 */
export function startCli(args: readonly string[], env: Record<string, string> = {}, readDelayMs = 0): RunningCli {
  return startScript(cliPath, args, env, readDelayMs);
}

/** Starts `node <script> …args` the way {@link startCli} starts the CLI. */
export function startScript(script: string, args: readonly string[], env: Record<string, string> = {}, readDelayMs = 0): RunningCli {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ORDO_')));
  const child = spawn(process.execPath, [script, ...args], { env: { ...base, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (text: string) => void }> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stdout)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(stdout);
      }
    }
  });
  const errorWaiters: Array<{ pattern: RegExp; resolve: (text: string) => void }> = [];
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of [...errorWaiters]) {
      if (waiter.pattern.test(stderr)) {
        errorWaiters.splice(errorWaiters.indexOf(waiter), 1);
        waiter.resolve(stderr);
      }
    }
  });
  if (readDelayMs > 0) {
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), readDelayMs);
  }
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    result,
    waitForOutput: (pattern) =>
      pattern.test(stdout)
        ? Promise.resolve(stdout)
        : new Promise((resolve, reject) => {
            waiters.push({ pattern, resolve });
            void result.then(() => reject(new Error(`CLI ended before printing ${pattern}:\n${stdout}\n${stderr}`)));
          }),
    waitForError: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve(stderr)
        : new Promise((resolve, reject) => {
            errorWaiters.push({ pattern, resolve });
            void result.then(() => reject(new Error(`CLI ended before printing ${pattern} on stderr:\n${stdout}\n${stderr}`)));
          }),
  };
}

/** Runs the CLI to its end. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).result;
}

/** What a terminal shows after a program ran in it. */
export interface TerminalRun {
  /** The raw bytes the program wrote (escape sequences included). */
  readonly output: string;
  /** The screen (and scrollback) after playing `output` in a terminal emulator, one string per row. */
  readonly screen: string[];
}

/**
 * Runs the CLI in a real pseudo-terminal (`script`) of `cols` × `rows`, optionally interrupting
 * it with SIGINT after `interruptAfterS` seconds, and plays its output in a headless xterm.
 */
export async function runCliInTerminal(
  args: readonly string[],
  { cols, rows, interruptAfterS, env = {} }: { cols: number; rows: number; interruptAfterS?: number; env?: Record<string, string> },
): Promise<TerminalRun> {
  const { execFile } = await import('node:child_process');
  const { default: xterm } = await import('@xterm/headless');
  const interrupt = interruptAfterS === undefined ? '' : `timeout -s INT ${interruptAfterS} `;
  const command = `stty cols ${cols} rows ${rows}; ${interrupt}"${process.execPath}" "${cliPath}" ${args.join(' ')}`;
  const output = await new Promise<string>((resolve) => {
    execFile('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env } }, (_error, stdout) => resolve(stdout));
  });
  const terminal = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  await new Promise<void>((resolve) => terminal.write(output, resolve));
  const screen: string[] = [];
  for (let row = 0; row < terminal.buffer.active.length; row += 1) screen.push(terminal.buffer.active.getLine(row)?.translateToString(true) ?? '');
  return { output, screen };
}
