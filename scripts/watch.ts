// `npm run watch`: a live terminal view of the RiskModels in a namespace. Redraws in place on
// a terminal; prints compact lines otherwise. Keeps retrying through cluster outages.
// Exit status: 0 after Ctrl-C (or a successful --once), 1 when --once could not list,
// 2 on bad usage or an unreadable kubeconfig.

import { KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandOptions } from './lib/args.js';
import { render, renderCompact } from './lib/riskmodel-render.js';
import { snapshotSource, type SnapshotSource } from './lib/riskmodel-source.js';
import { recordSnapshot, type History, type Scope, type Snapshot } from './lib/riskmodel-view.js';
import { CLEAR_SCREEN, frame, HIDE_CURSOR, SHOW_CURSOR } from './lib/terminal.js';
import { parseWatchArgs, WATCH_HELP, type WatchOptions } from './lib/watch-options.js';
import { messageOf } from '../operator/messages.js';

// An unchanged error is repeated this often in line mode, so a log shows the view is alive.
const ERROR_REPEAT_MS = 30_000;

async function main(argv: readonly string[]): Promise<number> {
  const options = commandOptions('watch', () => parseWatchArgs(argv), WATCH_HELP);
  if ('exitCode' in options) return options.exitCode;
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = loadKubeConfig();
  } catch (err) {
    console.error(`watch: cannot read the kubeconfig: ${messageOf(err)}`);
    return 2;
  }
  const scope = scopeOf(options, kubeConfig);
  const source = snapshotSource(loadKubeConfig, scope, { timeoutMs: Math.max(5000, options.intervalSeconds * 3000) });
  const terminal = process.stdout.isTTY && !options.plain;
  if (options.once) return once(source, terminal);
  await (terminal ? liveView(source, options) : lineView(source, options));
  return 0;
}

// $KUBECONFIG, else ~/.kube/config, else in-cluster, like kubectl. Throws on an unreadable file.
function loadKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  return kubeConfig;
}

function scopeOf(options: WatchOptions, kubeConfig: KubeConfig): Scope {
  if (options.allNamespaces) return { allNamespaces: true };
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return { allNamespaces: false, namespace: options.namespace ?? contextNamespace ?? 'default' };
}

async function once(source: SnapshotSource, terminal: boolean): Promise<number> {
  const snapshot = await source();
  const text = terminal ? render(snapshot, new Map(), process.stdout.columns) : renderCompact(snapshot).join('\n');
  process.stdout.write(`${text}\n`);
  return snapshot.error === undefined ? 0 : 1;
}

/** Polls every interval until Ctrl-C or SIGTERM, calling `show` with each snapshot and the history. */
async function poll(source: SnapshotSource, options: WatchOptions, show: (snapshot: Snapshot, history: History) => void): Promise<void> {
  const stop = new AbortController();
  const quit = (): void => stop.abort();
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  let history: History = new Map();
  try {
    while (!stop.signal.aborted) {
      const started = Date.now();
      const snapshot = await source();
      if (stop.signal.aborted) break;
      history = recordSnapshot(history, snapshot, options.samples);
      show(snapshot, history);
      await sleep(Math.max(0, options.intervalSeconds * 1000 - (Date.now() - started)), undefined, { signal: stop.signal }).catch(() => undefined);
    }
  } finally {
    process.off('SIGINT', quit);
    process.off('SIGTERM', quit);
  }
}

async function liveView(source: SnapshotSource, options: WatchOptions): Promise<void> {
  const footer = `every ${options.intervalSeconds} s · Ctrl-C to quit`;
  let last: { snapshot: Snapshot; history: History } | undefined;
  const draw = (): void => {
    if (last === undefined) return;
    const { columns, rows } = process.stdout;
    // Two rows go to the footer and the line frame() keeps free.
    process.stdout.write(frame(`${render(last.snapshot, last.history, columns, rows - 2)}\n${footer}`, { columns, rows }));
  };
  // Restores the cursor however the process ends, even on an unexpected crash.
  const restore = (): void => { process.stdout.write(SHOW_CURSOR); };
  process.on('exit', restore);
  process.stdout.on('resize', draw);
  process.stdout.write(HIDE_CURSOR + CLEAR_SCREEN);
  try {
    await poll(source, options, (snapshot, history) => {
      last = { snapshot, history };
      draw();
    });
  } finally {
    process.stdout.off('resize', draw);
    process.off('exit', restore);
    process.stdout.write(`${SHOW_CURSOR}\n`);
  }
}

async function lineView(source: SnapshotSource, options: WatchOptions): Promise<void> {
  let lastError: { text: string; at: number } | undefined;
  await poll(source, options, (snapshot) => {
    if (snapshot.error !== undefined) {
      const now = Date.now();
      if (lastError?.text === snapshot.error && now - lastError.at < ERROR_REPEAT_MS) return;
      lastError = { text: snapshot.error, at: now };
    } else {
      lastError = undefined;
    }
    process.stdout.write(`${renderCompact(snapshot).join('\n')}\n`);
  });
}

// A closed pipe (`npm run watch | head`) ends the view quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error('watch: unexpected failure:', err);
    process.exitCode = 1;
  },
);
