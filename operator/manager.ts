// Wires the operator together: kube client, caches, controller, leader election, HTTP server.
// `startOperator` is what `main.ts` runs and what tests call in-process.

import type { KubeConfig } from '@kubernetes/client-node';
import type { Writable } from 'node:stream';
import type { OperatorConfig } from './config.js';
import { Controller } from './controller.js';
import { EventRecorder } from './events.js';
import { startHttpServer } from './http-server.js';
import { KubeClient } from './kube/client.js';
import { fromClientNode, loadCredentials } from './kube/credentials.js';
import { KubeLeaseStore, LeaderElector, systemClock, type Clock } from './leader.js';
import { createLogger, type Logger } from './logger.js';
import { OperatorMetrics } from './metrics.js';

export interface OperatorDeps {
  /** Credentials through client-node; default: config.kubeconfigFiles, else in-cluster (kube/credentials.ts). */
  kubeConfig?: KubeConfig;
  log?: Logger;
  /** Where JSON logs go when no logger is given (default stdout). */
  logStream?: Writable;
  clock?: Clock;
}

export interface RunningOperator {
  /** The bound port of /healthz, /readyz and /metrics. */
  port: number;
  metrics: OperatorMetrics;
  isLeader(): boolean;
  /** Rejects when the operator cannot go on (e.g. the Lease namespace does not exist). */
  failed: Promise<never>;
  /** Finishes reconciles in flight, releases the Lease, closes watches and the HTTP server. Idempotent. */
  stop(): Promise<void>;
}

const SYNC_POLL_MS = 50;

/** Starts the operator; resolves once the HTTP server listens (the port is logged as `port`). */
export async function startOperator(config: OperatorConfig, deps: OperatorDeps = {}): Promise<RunningOperator> {
  const log = deps.log ?? createLogger(config.logLevel, deps.logStream);
  const metrics = new OperatorMetrics();
  const credentials = deps.kubeConfig ? await fromClientNode(deps.kubeConfig) : await loadCredentials(config);
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
      clock: deps.clock ?? systemClock,
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
      await controller.stopWorkers();
      await events.flush();
      await elector?.release();
      metrics.leader.set(0);
      await controller.stop();
      await http.close();
      kube.close();
      log.info('operator stopped');
    })());

  return { port: http.port, metrics, isLeader: () => leading, failed, stop };
}
