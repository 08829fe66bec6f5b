import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from './testServer.js';

/** A real redis-server on 127.0.0.1 for one test: no persistence, its own free port. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
  /** Kills it (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after `stop` or `kill`). */
  restart(): Promise<void>;
}

function launch(port: number, dir: string | undefined): Promise<ChildProcess> {
  // With `dir`, every write is in an append-only file there (fsync each), so a restart keeps it.
  const persistence = dir === undefined ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--protected-mode', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout.off('data', onData);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.once('error', (error) => reject(new Error(`redis-server did not start (run scripts/install-redis.sh): ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
  });
}

function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * Starts redis-server (Debian's package, installed by scripts/install-redis.sh) on a free port.
 * @param options - `persistent`: keep data across `restart` (an append-only file, as a production Redis would).
 */
export async function startTestRedis(options: { persistent?: boolean } = {}): Promise<TestRedis> {
  const port = await closedPort();
  const dir = options.persistent ? mkdtempSync(join(tmpdir(), 'ordo-relay-redis-')) : undefined;
  let child = await launch(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => ended(child, 'SIGTERM'),
    kill: () => ended(child, 'SIGKILL'),
    restart: async () => {
      child = await launch(port, dir);
    },
  };
}
