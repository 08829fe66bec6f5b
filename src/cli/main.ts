import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { createOrdoClient, defaultRetryOptions, defaultWatchOptions } from 'ordo-status';
import { pineyDamJobRequest, simulatorScenarioNames, startOrdoSimulator, type SimulatorScenarioName } from 'ordo-status/testing';
import { parseDuration, parseEnvName, parseJobId, parsePort, parseRetries, parseSpeed } from './options.js';
import { exitCodes, runWatch } from './runWatch.js';
import { createJsonView, createLineView, createLiveView, type WatchView } from './views.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

function chooseView(json: boolean): WatchView {
  if (json) return createJsonView(out, err);
  if (process.stdout.isTTY) return createLiveView(process.stdout, err);
  return createLineView(out, err);
}

/**
 * An AbortSignal that fires on the first Ctrl-C (SIGINT) or SIGTERM; its reason names the signal.
 * A second Ctrl-C gets Node's default behaviour (the process ends at once).
 */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => controller.abort(Object.assign(new Error('interrupted'), { signal }));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}

/** Resolves once everything written to a stream has left the process (pipes may still hold it). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return stream.writableLength === 0 ? Promise.resolve() : new Promise((resolve) => stream.once('drain', () => resolve()));
}

function program(): Command {
  const cli = new Command('ordo-status')
    .description('Watch jobs on an Ordo server: validated snapshots, lifecycle transitions, exit codes.')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: err, writeOut: out });

  cli
    .command('watch')
    .description(`watch a job until it ends; exit ${exitCodes.success} success, ${exitCodes.failed} failed, ${exitCodes.partial} partial, ${exitCodes.error} error, ${exitCodes.usage} usage`)
    .argument('<id>', 'job id', parseJobId)
    .option('--base-url <url>', 'server base URL, e.g. https://gw.example.com/ordo (default: $ORDO_BASE_URL)')
    .option('--token-env <name>', 'environment variable that holds the Bearer token', parseEnvName, 'ORDO_TOKEN')
    .option('--interval <duration>', 'time between an answer and the next request: 500ms, 3s, 1m (a bare number is milliseconds)', parseDuration, defaultWatchOptions.intervalMs as number)
    .option('--timeout <duration>', 'give up after this long (default: no limit)', parseDuration)
    .option('--retries <n>', `retry up to n consecutive transient failures (network, timeouts, HTTP ${defaultRetryOptions.statusCodes.join(', ')}), within ${defaultRetryOptions.maxElapsedMs / 60_000} minutes of failing`, parseRetries, 5)
    .option('--json', 'print NDJSON: one object per transition, then the final snapshot')
    .action(async (id: string, options: { baseUrl?: string; tokenEnv: string; interval: number; timeout?: number; retries: number; json?: boolean }, command: Command) => {
      const baseUrl = options.baseUrl ?? process.env['ORDO_BASE_URL'];
      if (!baseUrl) command.error('error: no server: pass --base-url URL or set ORDO_BASE_URL', { exitCode: exitCodes.usage });
      const token = process.env[options.tokenEnv];
      let client;
      try {
        client = createOrdoClient({ baseUrl: baseUrl, token: token || undefined });
      } catch (error) {
        command.error(`error: ${(error as Error).message}`, { exitCode: exitCodes.usage });
      }
      const outcome = await runWatch(client, id, chooseView(options.json === true), {
        intervalMs: options.interval,
        timeoutMs: options.timeout,
        retries: options.retries,
        signal: interruptSignal(),
      });
      if (outcome.errorCode === 'AUTH' && !token) {
        err(`ordo-status: note: $${options.tokenEnv} is not set, so no token was sent\n`);
      }
      process.exitCode = outcome.exitCode;
    });

  cli
    .command('demo')
    .description('start the embedded simulator, submit the reference LiDAR pipeline and watch it to the end')
    .addOption(new Option('--scenario <name>', 'outcome of the job').choices(simulatorScenarioNames).default('success'))
    .option('--speed <x>', 'run the simulated clock X times faster', parseSpeed, 1)
    .option('--interval <duration>', 'time between an answer and the next request (default: 500ms ÷ speed, at least 20ms)', parseDuration)
    .option('--json', 'print NDJSON: one object per transition, then the final snapshot')
    .action(async (options: { scenario: SimulatorScenarioName; speed: number; interval?: number; json?: boolean }) => {
      const simulator = await startOrdoSimulator({ scenario: options.scenario, speed: options.speed });
      try {
        const { id } = await simulator.submitJob(pineyDamJobRequest);
        if (!options.json) {
          out(`Simulated Ordo server at ${simulator.url} · submitted the reference LiDAR pipeline as job ${id} · scenario ${options.scenario}${options.speed === 1 ? '' : ` · speed ${options.speed}×`}\n`);
        }
        const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
        const outcome = await runWatch(client, id, chooseView(options.json === true), {
          intervalMs: options.interval ?? Math.max(20, 500 / options.speed),
          timeoutMs: undefined,
          retries: 5,
          signal: interruptSignal(),
        });
        process.exitCode = outcome.exitCode;
      } finally {
        await simulator.close();
      }
    });

  cli
    .command('simulate')
    .description('run the Ordo-compatible simulator until interrupted (prints its URL and token)')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0: any free port)', parsePort, 0)
    .option('--token <token>', 'the Bearer token to accept (default: a random one)')
    .addOption(new Option('--scenario <name>', 'outcome of submitted jobs').choices(simulatorScenarioNames).default('success'))
    .option('--speed <x>', 'run the simulated clock X times faster', parseSpeed, 1)
    .option('--submit', 'submit the reference LiDAR pipeline once at start')
    .action(async (options: { port: number; token?: string; scenario: SimulatorScenarioName; speed: number; submit?: boolean }, command: Command) => {
      let simulator;
      try {
        simulator = await startOrdoSimulator({ port: options.port, scenario: options.scenario, speed: options.speed, ...(options.token === undefined ? {} : { token: options.token }) });
      } catch (error) {
        if ((error as { code?: unknown }).code === 'EADDRINUSE') {
          err(`ordo-status: port ${options.port} is already in use\n`);
          process.exitCode = exitCodes.error;
          return;
        }
        command.error(`error: ${(error as Error).message}`, { exitCode: exitCodes.usage });
      }
      const sim = simulator;
      // Listen for Ctrl-C before telling anyone to press it.
      const stopped = new Promise<void>((resolve) => {
        interruptSignal().addEventListener('abort', () => resolve(), { once: true });
      });
      out(`Ordo simulator listening on ${sim.url} (scenario ${options.scenario}, speed ${options.speed}×)\n`);
      out(`token: ${sim.token}\n\n`);
      out(`  export ORDO_BASE_URL=${sim.url} ORDO_TOKEN=${sim.token}\n`);
      out(`  npx ordo-status watch <id>     # a job submitted with --submit, or POSTed to $ORDO_BASE_URL/jobs\n\n`);
      if (options.submit) {
        const { id } = await sim.submitJob(pineyDamJobRequest);
        out(`submitted the reference LiDAR pipeline as job ${id}\n`);
      }
      out('Press Ctrl-C to stop.\n');
      await stopped;
      await sim.close();
      out('simulator stopped\n');
      // Ctrl-C or SIGTERM is how a simulator is meant to stop: a success.
      process.exitCode = exitCodes.success;
    });

  return cli;
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return exitCodes.success;
      // Our own `command.error(…, { exitCode })` keeps its code; every parse error is a usage error.
      return error.code === 'commander.error' ? error.exitCode : exitCodes.usage;
    }
    err(`ordo-status: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.error;
  }
}

// A reader that goes away (`ordo-status watch 1 | head -1`) ends the watch quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(exitCodes.error);
  throw error;
});

// Exit explicitly once the output has drained: idle keep-alive sockets must not hold the process
// open, and a slow reader (`watch --json | jq`) must still get every line.
void main(process.argv)
  .then(async (code) => {
    await Promise.all([drained(process.stdout), drained(process.stderr)]);
    return code;
  })
  .then((code) => process.exit(code));
