// Prometheus metrics (prom-client) on the operator's HTTP port, in a registry of their own so
// tests can create several operators in one process.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The `result` label of the reconcile counter. */
export type ReconcileLabel = 'success' | 'terminal' | 'error';
const RECONCILE_LABELS: readonly ReconcileLabel[] = ['success', 'terminal', 'error'];

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'riskmodel_operator_reconcile_total',
    help: 'Reconciles by result: success, terminal (the user must fix the spec or model; reported in status), error (retried with backoff).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'riskmodel_operator_reconcile_duration_seconds',
    help: 'Time spent in one reconcile.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: 'riskmodel_operator_queue_depth', help: 'RiskModel keys waiting to be reconciled.', registers: [this.registry] });
  readonly leader = new Gauge({ name: 'riskmodel_operator_leader', help: '1 while this process holds the leader Lease (or runs without election), else 0.', registers: [this.registry] });
  readonly apiRequests = new Counter({
    name: 'riskmodel_operator_api_requests_total',
    help: 'Requests to the Kubernetes API by method and HTTP status code (0 = no response).',
    labelNames: ['method', 'code'] as const,
    registers: [this.registry],
  });
  readonly watchRestarts = new Counter({
    name: 'riskmodel_operator_watch_restarts_total',
    help: 'Watch restarts by resource and reason (error, idle, expired).',
    labelNames: ['resource', 'reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'riskmodel_operator_' });
    this.leader.set(0);
    this.queueDepth.set(0);
    for (const result of RECONCILE_LABELS) this.reconciles.inc({ result }, 0);
  }
}
