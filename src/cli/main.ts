import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { createOrdoClient, defaultRetryOptions, defaultWatchOptions, type OrdoClient, type StatusAliases } from 'ordo-status';
import { pineyDamJobRequest, simulatorScenarioNames, startOrdoSimulator, type SimulatorScenarioName } from 'ordo-status/testing';
import { createRedisRelayStore, createRelay } from 'ordo-status/relay';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { minIntervalMs, parseDuration, parseEnvName, parseInterval, parseJobId, parsePort, parseRetries, parseSpeed, parseStatusAlias } from './options.js';
import { formatInterval, printable } from './format.js';
import { exitCodes, runWatch, type WatchOutcome } from './runWatch.js';
import { processSubmitIO, referenceRequestPath, runSubmit, shellWord } from './runSubmit.js';
import { createLiveView, recordAnswers, wrapToWidth, type LiveViewOptions } from './liveView.js';
import { createJsonView, createLineView, type WatchView } from './views.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);
/** When the server last answered, for the live view's "updated N s ago": pass `answers.fetch` to each client. */
const answers = recordAnswers();

/** The view of a watch: NDJSON with `--json`, else the live view on a terminal (`live` says what its header shows), else lines. */
function chooseView(json: boolean, live: LiveViewOptions): WatchView {
  if (json) return createJsonView(out, err);
  if (process.stdout.isTTY) return createLiveView(process.stdout, err, { lastAnswerAtMs: answers.lastAnswerAtMs, ...live });
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

/** The server and watch flags of `watch` (and `submit`, which takes the same Option objects). */
interface ServerWatchFlags {
  baseUrl?: string;
  tokenEnv: string;
  interval: number;
  timeout?: number;
  retries: number;
  json?: boolean;
  statusAlias?: StatusAliases;
}

/**
 * The client for `--base-url` (or `$ORDO_BASE_URL`) and the token in `$<--token-env>`; a missing
 * server or an option the library refuses is a usage error (exit 2).
 */
function serverClient(flags: ServerWatchFlags, command: Command): { client: OrdoClient; baseUrl: string; token: string | undefined } {
  const baseUrl = flags.baseUrl ?? process.env['ORDO_BASE_URL'];
  if (!baseUrl) command.error('error: no server: pass --base-url URL or set ORDO_BASE_URL', { exitCode: exitCodes.usage });
  const token = process.env[flags.tokenEnv] || undefined;
  try {
    return { client: createOrdoClient({ baseUrl, token, fetch: answers.fetch, statusAliases: flags.statusAlias }), baseUrl, token };
  } catch (error) {
    command.error(`error: ${(error as Error).message}`, { exitCode: exitCodes.usage });
  }
}

/** Watches a job to its end as `watch` does: the view the flags ask for, the watch flags, the exit code. */
function watchToEnd(client: OrdoClient, id: string, flags: ServerWatchFlags, baseUrl: string, signal: AbortSignal): Promise<WatchOutcome> {
  return runWatch(client, id, chooseView(flags.json === true, { server: baseUrl, intervalMs: flags.interval }), {
    intervalMs: flags.interval,
    timeoutMs: flags.timeout,
    retries: flags.retries,
    signal,
    server: baseUrl,
  });
}

/** Sets the exit code of a watch; an auth failure without a token says which variable was empty. */
function finish(outcome: WatchOutcome, flags: ServerWatchFlags, token: string | undefined): void {
  if (outcome.errorCode === 'AUTH' && !token) err(`ordo-status: note: $${flags.tokenEnv} is not set, so no token was sent\n`);
  process.exitCode = outcome.exitCode;
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
    .addOption(
      new Option('--interval <duration>', `time between an answer and the next request: 3 (a bare number is seconds), 500ms, 1.5m; at least ${minIntervalMs}ms`)
        .argParser(parseInterval)
        .default(defaultWatchOptions.intervalMs as number, `${(defaultWatchOptions.intervalMs as number) / 1000}s`),
    )
    .option('--timeout <duration>', 'give up after this long: 90 (seconds), 30m, 2h (default: no limit)', parseDuration)
    .option('--retries <n>', `retry up to n consecutive transient failures (network, timeouts, HTTP ${defaultRetryOptions.statusCodes.join(', ')}), within ${defaultRetryOptions.maxElapsedMs / 60_000} minutes of failing`, parseRetries, 5)
    .option('--json', 'print NDJSON: one object per transition, then the final snapshot')
    .option('--status-alias <word=status>', "a deployment's own status word and the status it means, e.g. completed=success (repeatable)", parseStatusAlias)
    .action(async (id: string, flags: ServerWatchFlags, command: Command) => {
      const { client, baseUrl, token } = serverClient(flags, command);
      finish(await watchToEnd(client, id, flags, baseUrl, interruptSignal()), flags, token);
    });

  // `submit` takes the server and watch options of `watch` itself (the same Option objects: the
  // same flags, parsers, defaults and help), so the two cannot drift apart.
  const watchCommand = cli.commands.find((command) => command.name() === 'watch') as Command;
  const watchOption = (flag: string): Option => watchCommand.options.find((option) => option.long === flag) as Option;
  const submit = cli
    .command('submit')
    .description(`submit a job (a JSON POST /jobs body) once and print its id; with --watch, watch it as \`watch\` does (exit ${exitCodes.success} success, ${exitCodes.failed} failed, ${exitCodes.partial} partial, ${exitCodes.error} error, ${exitCodes.usage} usage)`)
    .argument('<file>', 'the JSON job request, or - to read it from stdin');
  for (const flag of ['--base-url', '--token-env']) submit.addOption(watchOption(flag));
  submit
    .option('--watch', 'then watch the new job to its end, exactly as `watch <id>` does')
    .option('--json', 'print {"id":"…"}; with --watch, NDJSON as `watch --json` does');
  for (const flag of ['--interval', '--timeout', '--retries', '--status-alias']) submit.addOption(watchOption(flag));
  submit.action(async (file: string, flags: ServerWatchFlags & { watch?: boolean }, command: Command) => {
    const { client, baseUrl, token } = serverClient(flags, command);
    const signal = interruptSignal();
    const submitted = await runSubmit(client, file, processSubmitIO, { print: flags.watch !== true, json: flags.json === true, signal });
    if (submitted.usage !== undefined) command.error(`error: ${submitted.usage}`, { exitCode: exitCodes.usage });
    finish(submitted.id !== undefined && flags.watch === true ? await watchToEnd(client, submitted.id, flags, baseUrl, signal) : submitted, flags, token);
  });

  cli
    .command('demo')
    .description('start the embedded simulator, submit the reference LiDAR pipeline and watch it to the end')
    .addOption(new Option('--scenario <name>', 'outcome of the job').choices(simulatorScenarioNames).default('success'))
    .option('--speed <x>', 'run the simulated clock X times faster', parseSpeed, 1)
    .option('--interval <duration>', `time between an answer and the next request: 1 (a bare number is seconds), 500ms; at least ${minIntervalMs}ms (default: 500ms ÷ speed, at least 20ms)`, parseInterval)
    .option('--json', 'print NDJSON: one object per transition, then the final snapshot')
    .action(async (options: { scenario: SimulatorScenarioName; speed: number; interval?: number; json?: boolean }) => {
      const simulator = await startOrdoSimulator({ scenario: options.scenario, speed: options.speed });
      try {
        const { id } = await simulator.submitJob(pineyDamJobRequest);
        if (!options.json) {
          const banner = `Simulated Ordo server at ${simulator.url} · submitted the reference LiDAR pipeline as job ${id} · scenario ${options.scenario}${options.speed === 1 ? '' : ` · speed ${options.speed}×`}`;
          // On a terminal, wrapped at spaces like the live view below it.
          out(`${process.stdout.isTTY ? wrapToWidth(banner, process.stdout.columns || 80) : banner}\n`);
        }
        const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, fetch: answers.fetch });
        const intervalMs = options.interval ?? Math.max(20, 500 / options.speed);
        const outcome = await runWatch(client, id, chooseView(options.json === true, { server: simulator.url, intervalMs }), {
          intervalMs,
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
    .option('--submit', 'submit the reference LiDAR pipeline once at start (it runs before anyone watches; to watch a job from its start, use `submit … --watch`)')
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
      const request = shellWord(referenceRequestPath());
      out(`  export ORDO_BASE_URL=${sim.url} ORDO_TOKEN=${sim.token}\n\n`);
      out(`Submit the reference LiDAR pipeline and watch it to its end:\n`);
      out(`  npx ordo-status submit ${request} --watch\n`);
      out(`or with curl, then watch the id it answers:\n`);
      out(`  curl -sS -X POST "$ORDO_BASE_URL/jobs" -H "Authorization: Bearer $ORDO_TOKEN" -H 'Content-Type: application/json' --data-binary @${request}\n`);
      out(`  npx ordo-status watch <id>\n\n`);
      if (options.submit) {
        const { id } = await sim.submitJob(pineyDamJobRequest);
        out(`submitted the reference LiDAR pipeline as job ${id} (already running: \`submit … --watch\` watches a job from its start)\n`);
      }
      out('Press Ctrl-C to stop.\n');
      await stopped;
      await sim.close();
      out('simulator stopped\n');
      // Ctrl-C or SIGTERM is how a simulator is meant to stop: a success.
      process.exitCode = exitCodes.success;
    });

  cli
    .command('relay')
    .description('watch each job once upstream for any number of consumers; serve it as Ordo does and as Server-Sent Events')
    .option('--base-url <url>', 'the Ordo server, e.g. https://gw.example.com/ordo (default: $ORDO_BASE_URL)')
    .option('--token-env <name>', 'environment variable that holds the Ordo token (sent upstream only)', parseEnvName, 'ORDO_TOKEN')
    .option('--relay-token-env <name>', "environment variable that holds the token consumers send to the relay", parseEnvName, 'ORDO_RELAY_TOKEN')
    .option('--port <n>', 'TCP port (0: any free port)', parsePort, 8788)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option('--interval <duration>', `how often each job is polled upstream, all on one beat: 3 (seconds), 500ms; at least ${minIntervalMs}ms`)
        .argParser(parseInterval)
        .default(defaultWatchOptions.intervalMs, `${defaultWatchOptions.intervalMs / 1000}s`),
    )
    .option('--redis <url>', 'share the work with other relay instances through Redis, e.g. redis://127.0.0.1:6379 (default: one process, state in memory)')
    .addOption(
      new Option('--lease <duration>', 'how long the poller lease lasts without renewal (another instance then takes over): 6 (seconds), 600ms')
        .argParser(parseInterval)
        .default(6000, '6s'),
    )
    .action(async (options: { baseUrl?: string; tokenEnv: string; relayTokenEnv: string; port: number; host: string; interval: number; redis?: string; lease: number }, command: Command) => {
      const baseUrl = options.baseUrl ?? process.env['ORDO_BASE_URL'];
      if (!baseUrl) command.error('error: no server: pass --base-url URL or set ORDO_BASE_URL', { exitCode: exitCodes.usage });
      const relayToken = process.env[options.relayTokenEnv] || undefined;
      if (!relayToken) command.error(`error: $${options.relayTokenEnv} is empty: consumers authenticate to the relay with a token of its own`, { exitCode: exitCodes.usage });
      if (options.redis !== undefined && !/^rediss?:\/\/[^/\s]/i.test(options.redis)) {
        command.error(`error: --redis ${JSON.stringify(options.redis)}: expected a Redis URL such as redis://127.0.0.1:6379 (rediss:// for TLS)`, { exitCode: exitCodes.usage });
      }
      const ordoToken = process.env[options.tokenEnv] || undefined;
      if (!ordoToken) err(`ordo-status: $${options.tokenEnv} is empty: the relay sends no token upstream (an Ordo server that needs one answers 401)\n`);
      const { createServer } = await import('node:http');
      const store = options.redis === undefined ? undefined : createRedisRelayStore({ url: options.redis, instanceId: `${hostname()}:${process.pid}:${randomUUID()}` });
      const relay = createRelay({
        baseUrl,
        token: ordoToken,
        relayToken,
        intervalMs: options.interval,
        leaseMs: options.lease,
        store,
        log: (line) => err(`${new Date().toISOString()} ${line}\n`),
      });
      const server = createServer((request, response) => relay.handle(request, response));
      const stopped = new Promise<void>((resolve) => {
        interruptSignal().addEventListener('abort', () => resolve(), { once: true });
      });
      const listening = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        server.once('error', resolve);
        server.listen(options.port, options.host, () => resolve(undefined));
      });
      if (listening) {
        err(`ordo-status: cannot listen on ${options.host}:${options.port}: ${listening.code ?? listening.message}\n`);
        process.exitCode = exitCodes.error;
        return;
      }
      const { port } = server.address() as { port: number };
      const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
      out(`Ordo relay listening on ${url} · upstream ${printable(baseUrl)} · every ${formatInterval(options.interval)}${options.redis === undefined ? '' : ' · shared through Redis'}\n`);
      out(`Consumers send Authorization: Bearer $${options.relayTokenEnv} (EventSource: ?access_token=…):\n`);
      out(`  curl -N -H "Authorization: Bearer $${options.relayTokenEnv}" ${url}/jobs/<id>/events\n`);
      out(`  ORDO_BASE_URL=${url} ORDO_TOKEN=$${options.relayTokenEnv} npx ordo-status watch <id>\n`);
      out('Press Ctrl-C to stop.\n');
      await stopped;
      await relay.close();
      await store?.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      out('relay stopped\n');
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
