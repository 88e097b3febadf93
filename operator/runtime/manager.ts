// Wires the operator process together: kube client, controller, leader election, HTTP server.
// `startOperator` is what `main.ts` runs. The controller's own wiring is tested in-process
// (controller.test.ts); this layer is exercised by the cluster tests, which run main.ts.

import type { OperatorConfig } from '../config.js';
import { Controller } from './controller.js';
import { EventRecorder } from './events.js';
import { startHttpServer } from './http-server.js';
import { KubeClient } from '../kube/client.js';
import { loadCredentials } from '../kube/credentials.js';
import { KubeLeaseStore, LeaderElector, systemClock } from './leader.js';
import { createLogger, type Logger } from '../logger.js';
import { OperatorMetrics } from './metrics.js';

export interface OperatorDeps {
  /** Default: a JSON logger on stdout at config.logLevel. */
  log?: Logger;
}

export interface RunningOperator {
  /** Rejects when the operator cannot go on (e.g. the Lease namespace does not exist). */
  failed: Promise<never>;
  /** Finishes reconciles in flight, releases the Lease, closes watches and the HTTP server. Idempotent. */
  stop(): Promise<void>;
}

const SYNC_POLL_MS = 50;

/** Starts the operator; resolves once the HTTP server listens (the port is logged as `port`). */
export async function startOperator(config: OperatorConfig, deps: OperatorDeps = {}): Promise<RunningOperator> {
  const log = deps.log ?? createLogger(config.logLevel);
  const metrics = new OperatorMetrics();
  const credentials = await loadCredentials(config);
  const kube = KubeClient.create(credentials, (method, _path, code) => metrics.apiRequests.inc({ method, code: String(code) }));
  const events = new EventRecorder(kube, config.identity, log);
  const controller = new Controller({ kube, config, log, metrics, events });
  controller.start();
  let stopping = false;
  const http = await startHttpServer(config.httpHost, config.httpPort, { healthy: () => !stopping, ready: () => controller.hasSynced() }, metrics);
  log.info('operator started', { port: http.port, identity: config.identity, server: kube.serverUrl, credentials: credentials.source, watchNamespaces: config.watchNamespaces, leaderElect: config.leaderElect });

  let leading = false;
  const lead = async (): Promise<void> => {
    leading = true;
    metrics.leader.set(1);
    while (!controller.hasSynced() && leading && !stopping) await new Promise((r) => setTimeout(r, SYNC_POLL_MS));
    if (leading && !stopping) {
      controller.startWorkers();
      log.info('caches synced; reconciling');
    }
  };
  const follow = async (): Promise<void> => {
    leading = false;
    metrics.leader.set(0);
    await controller.stopWorkers();
  };

  let failWith: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (failWith = reject));
  failed.catch(() => undefined); // observed by the caller if it wants; never an unhandled rejection

  let elector: LeaderElector | undefined;
  if (config.leaderElect) {
    const store = new KubeLeaseStore(kube, config.leaseNamespace, config.leaseName);
    const timing = { leaseDurationMs: config.leaseDurationSeconds * 1000, renewDeadlineMs: config.renewDeadlineSeconds * 1000, retryPeriodMs: config.retryPeriodSeconds * 1000 };
    elector = new LeaderElector(store, config.identity, timing, {
      clock: systemClock,
      log,
      callbacks: { onStartedLeading: () => void lead(), onStoppedLeading: () => void follow() },
    });
    elector.start().catch((err: Error) => {
      log.error('leader election failed', { error: err.message });
      failWith(err);
    });
  } else {
    log.info('became leader', { identity: config.identity, leaderElection: false });
    void lead();
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      stopping = true;
      log.info('stopping: finishing reconciles in flight');
      leading = false;
      // Each stage says when it is done, so a shutdown that hangs shows where.
      await controller.stopWorkers();
      log.info('stopping: reconciles finished; sending the last events');
      await events.flush();
      await elector?.release();
      metrics.leader.set(0);
      log.info('stopping: closing watches');
      await controller.stop();
      await http.close();
      kube.close();
      log.info('operator stopped');
    })());

  return { failed, stop };
}
