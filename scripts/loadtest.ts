// `npm run loadtest`: drives an inference endpoint with randomised patient vitals and
// reports throughput, latency and errors. Exit status: 0 passed, 1 failed (5xx answers,
// connection errors or timeouts), 2 bad usage or a refused target, 130 interrupted.

import { UsageError } from './lib/args.js';
import { LOADTEST_HELP, parseLoadtestArgs, type LoadtestOptions } from './lib/loadtest-options.js';
import { effectiveConnections, failures, formatProgress, formatSummary, runLoadtest } from './lib/loadtest-run.js';
import { assertLoopbackTarget } from './lib/loopback.js';
import { checkListening } from './lib/preflight.js';
import { messageOf } from '../operator/messages.js';

async function main(argv: readonly string[]): Promise<number> {
  let options: LoadtestOptions;
  try {
    const command = parseLoadtestArgs(argv);
    if (command.help) {
      process.stdout.write(LOADTEST_HELP);
      return 0;
    }
    options = command.options;
    if (!options.allowRemote) await assertLoopbackTarget(options.url.hostname);
  } catch (err) {
    const hint = err instanceof UsageError ? '\nRun `npm run loadtest -- --help` for every flag.' : '';
    console.error(`loadtest: ${messageOf(err)}${hint}`);
    return 2;
  }
  try {
    await checkListening(options.url);
  } catch (err) {
    console.error(`loadtest: ${messageOf(err)}`);
    return 1;
  }
  return run(options);
}

async function run(options: LoadtestOptions): Promise<number> {
  const load = options.rate === undefined ? 'as fast as it answers' : `${options.rate} req/s`;
  const connections = effectiveConnections(options);
  const target = new URL(options.path, options.url).toString();
  console.error(`Sending ${load} for ${options.durationSeconds} s to ${target} over ${connections} connection${connections === 1 ? '' : 's'} (Ctrl-C stops early)`);
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.once('SIGINT', interrupt);
  try {
    const summary = await runLoadtest(options, { signal: controller.signal, onProgress: (progress) => console.error(formatProgress(progress)) });
    process.stdout.write(`${options.json ? JSON.stringify(summary, null, 2) : formatSummary(summary)}\n`);
    if (failures(summary).length > 0) return 1;
    return summary.interrupted ? 130 : 0;
  } finally {
    process.off('SIGINT', interrupt);
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error('loadtest: unexpected failure:', err);
    process.exitCode = 1;
  },
);
