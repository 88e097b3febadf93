// Leader election on a coordination.k8s.io/v1 Lease, following client-go's leaderelection:
// - a candidate takes the Lease when it is absent, released (empty holder), or not renewed for
//   leaseDuration as measured on the candidate's own clock since it last saw the record change
//   (so clock skew between machines does not matter);
// - the leader renews every retryPeriod and gives up when it could not renew for renewDeadline;
// - writes carry the resourceVersion read, so two candidates can never both win;
// - on shutdown the leader releases the Lease (empty holder) so a standby takes over at once.
// The clock and the Lease store are injected: unit tests drive it with a fake clock.

import { ApiError } from '../errors.js';
import type { Kube } from '../kube/client.js';
import { collectionPath, objectPath, Resources } from '../kube/resources.js';
import type { Logger } from '../logger.js';
import { messageOf } from '../messages.js';

/** A problem retrying cannot fix (the Lease's namespace does not exist). Ends the election. */
export class LeaseConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseConfigError';
  }
}

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

export interface StoredLease {
  record: LeaseRecord;
  resourceVersion: string;
}

/** Reads and writes the Lease; `create`/`update` throw ApiError 409 when someone else wrote first. */
export interface LeaseStore {
  get(): Promise<StoredLease | undefined>;
  create(record: LeaseRecord): Promise<void>;
  update(record: LeaseRecord, resourceVersion: string): Promise<void>;
  describe(): string;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface ElectionTiming {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface LeaderCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private observed: LeaseRecord | undefined;
  private observedAt = 0;
  private leading = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: LeaseStore,
    private readonly identity: string,
    private readonly timing: ElectionTiming,
    private readonly deps: { clock: Clock; log: Logger; callbacks: LeaderCallbacks },
  ) {}

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * One attempt to take or renew the Lease; true when this process holds it afterwards.
   * Throws only for unexpected API errors (a lost race is `false`).
   */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.deps.clock.now();
    const current = await this.store.get();
    if (!current) return this.write(() => this.store.create(this.recordFor(undefined, now)), now);
    this.observe(current.record, now);
    const held = current.record.holderIdentity !== '' && current.record.holderIdentity !== this.identity;
    if (held && this.observedAt + current.record.leaseDurationSeconds * 1000 > now) return false;
    return this.write(() => this.store.update(this.recordFor(current.record, now), current.resourceVersion), now);
  }

  /** Campaigns, leads and re-campaigns until `release`; the promise rejects only with LeaseConfigError. */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /** Stops campaigning; a leader writes an empty holder so another candidate takes over at once. */
  async release(): Promise<void> {
    this.abort.abort();
    await this.loop?.catch(() => undefined);
    if (!this.leading) return;
    this.leading = false;
    try {
      const current = await this.store.get();
      if (current?.record.holderIdentity === this.identity) {
        const now = this.deps.clock.now();
        await this.store.update({ ...current.record, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now) }, current.resourceVersion);
        this.deps.log.info('released leadership', { lease: this.store.describe(), identity: this.identity });
      }
    } catch (err) {
      this.deps.log.warn('could not release the lease; it expires on its own', { lease: this.store.describe(), error: messageOf(err) });
    }
  }

  private async run(): Promise<void> {
    const { clock, log, callbacks } = this.deps;
    while (!this.abort.signal.aborted) {
      await this.acquire();
      if (this.abort.signal.aborted) return;
      this.leading = true;
      log.info('became leader', { lease: this.store.describe(), identity: this.identity });
      callbacks.onStartedLeading();
      await this.renewUntilLost();
      if (this.abort.signal.aborted) return;
      this.leading = false;
      log.error('lost leadership', { lease: this.store.describe(), identity: this.identity });
      callbacks.onStoppedLeading();
      await clock.sleep(this.timing.retryPeriodMs, this.abort.signal);
    }
  }

  private async acquire(): Promise<void> {
    let logged = false;
    while (!this.abort.signal.aborted) {
      if (await this.attempt()) return;
      if (!logged) {
        this.deps.log.info('waiting for leadership', { lease: this.store.describe(), identity: this.identity, holder: this.observed?.holderIdentity });
        logged = true;
      }
      await this.deps.clock.sleep(this.timing.retryPeriodMs, this.abort.signal);
    }
  }

  private async renewUntilLost(): Promise<void> {
    const { clock } = this.deps;
    let lastRenew = clock.now();
    while (!this.abort.signal.aborted) {
      await clock.sleep(this.timing.retryPeriodMs, this.abort.signal);
      if (this.abort.signal.aborted) return;
      if (await this.attempt()) lastRenew = clock.now();
      else if (clock.now() - lastRenew >= this.timing.renewDeadlineMs) return;
    }
  }

  private async attempt(): Promise<boolean> {
    try {
      return await this.tryAcquireOrRenew();
    } catch (err) {
      if (err instanceof LeaseConfigError) throw err;
      this.deps.log.warn('lease request failed', { lease: this.store.describe(), error: messageOf(err) });
      return false;
    }
  }

  private observe(record: LeaseRecord, now: number): void {
    const o = this.observed;
    const changed = !o || o.holderIdentity !== record.holderIdentity || o.renewTime !== record.renewTime || o.leaseTransitions !== record.leaseTransitions;
    if (changed) {
      this.observed = record;
      this.observedAt = now;
    }
  }

  private recordFor(previous: LeaseRecord | undefined, now: number): LeaseRecord {
    const ours = previous?.holderIdentity === this.identity;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.round(this.timing.leaseDurationMs / 1000),
      acquireTime: ours && previous ? previous.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: previous ? previous.leaseTransitions + (ours ? 0 : 1) : 0,
    };
  }

  private async write(op: () => Promise<void>, now: number): Promise<boolean> {
    try {
      await op();
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) return false;
      throw err;
    }
    this.observedAt = now;
    return true;
  }
}

interface LeaseObject {
  metadata?: { resourceVersion?: string };
  spec?: Partial<LeaseRecord>;
}

/** A Lease's spec with the API server's zero values for what is unset. */
function recordOf(s: NonNullable<LeaseObject['spec']>): LeaseRecord {
  return {
    holderIdentity: s.holderIdentity ?? '',
    leaseDurationSeconds: s.leaseDurationSeconds ?? 15,
    acquireTime: s.acquireTime ?? '',
    renewTime: s.renewTime ?? '',
    leaseTransitions: s.leaseTransitions ?? 0,
  };
}

/** The Lease in the cluster. A missing namespace is reported with what to do about it. */
export class KubeLeaseStore implements LeaseStore {
  constructor(
    private readonly kube: Kube,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }

  async get(): Promise<StoredLease | undefined> {
    try {
      const lease = await this.kube.request<LeaseObject>({ method: 'GET', path: objectPath(Resources.leases, this.namespace, this.name) });
      return { resourceVersion: lease.metadata?.resourceVersion ?? '', record: recordOf(lease.spec ?? {}) };
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  async create(record: LeaseRecord): Promise<void> {
    try {
      await this.kube.request({
        method: 'POST',
        path: collectionPath(Resources.leases, this.namespace),
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.namespace }, spec: record },
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) {
        throw new LeaseConfigError(
          `cannot create Lease ${this.describe()}: namespace ${this.namespace} does not exist. Create it (kubectl create namespace ${this.namespace}), ` +
            'set LEASE_NAMESPACE to an existing namespace, or run with LEADER_ELECT=false',
        );
      }
      throw err;
    }
  }

  async update(record: LeaseRecord, resourceVersion: string): Promise<void> {
    await this.kube.request({
      method: 'PUT',
      path: objectPath(Resources.leases, this.namespace, this.name),
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.namespace, resourceVersion }, spec: record },
    });
  }
}
