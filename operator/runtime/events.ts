// Kubernetes Events for `kubectl describe riskmodel` (core/v1, which kubectl and the
// events.k8s.io API both read). Repeats of the same event on the same object within the
// de-duplication window increase `count` and `lastTimestamp` on the existing Event (one
// PATCH) instead of creating new ones, as client-go's recorder does. Recording never blocks or
// fails a reconcile: events are sent in the background and errors are logged.

import { randomBytes } from 'node:crypto';
import { API_VERSION, KIND, type RiskModel } from '../api/riskmodel.js';
import { rfc3339 } from '../model/conditions.js';
import type { Kube } from '../kube/client.js';
import { PatchType } from '../kube/client.js';
import { collectionPath, objectPath, Resources } from '../kube/resources.js';
import type { Logger } from '../logger.js';
import { ApiError } from '../errors.js';
import { messageOf } from '../messages.js';

export type EventType = 'Normal' | 'Warning';

export interface Recorder {
  record(rm: RiskModel, type: EventType, reason: string, message: string): Promise<void>;
}

interface Sent {
  name: string;
  namespace: string;
  count: number;
  lastSent: number;
}

const WINDOW_MS = 10 * 60_000;
const MAX_TRACKED = 4096;
const MAX_PENDING = 1000;

export class EventRecorder implements Recorder {
  private readonly sent = new Map<string, Sent>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly kube: Kube,
    private readonly identity: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records an event about a RiskModel without waiting for the API server (like client-go's
   * recorder), folding repeats into one Event with a count. Events of the same kind on the same
   * object are sent in order; at most MAX_PENDING are in flight, beyond that they are dropped
   * with a log line. Never rejects.
   */
  record(rm: RiskModel, type: EventType, reason: string, message: string): Promise<void> {
    if (this.inflight.size >= MAX_PENDING) {
      this.log.warn('dropping event: too many pending', { namespace: rm.metadata.namespace, name: rm.metadata.name, reason });
      return Promise.resolve();
    }
    const key = [rm.metadata.uid, type, reason, message].join('\u0000');
    const next = (this.chains.get(key) ?? Promise.resolve()).then(() => this.send(key, rm, { type, reason, message }));
    this.chains.set(key, next);
    this.inflight.add(next);
    void next.finally(() => {
      this.inflight.delete(next);
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return Promise.resolve();
  }

  /** Resolves when every event recorded so far has been sent (or has failed). */
  async flush(): Promise<void> {
    await Promise.all([...this.inflight]);
  }

  private async send(key: string, rm: RiskModel, event: { type: EventType; reason: string; message: string }): Promise<void> {
    const previous = this.sent.get(key);
    const now = this.now();
    try {
      if (previous && now - previous.lastSent < WINDOW_MS && (await this.bump(previous, now))) return;
      this.remember(key, { ...(await this.create(rm, event, now)), count: 1, lastSent: now });
    } catch (err) {
      this.log.warn('could not record event', { namespace: rm.metadata.namespace, name: rm.metadata.name, reason: event.reason, error: messageOf(err) });
    }
  }

  /** Raises the count of the Event sent before; false when it no longer exists. Throws any other API error. */
  private async bump(previous: Sent, now: number): Promise<boolean> {
    try {
      await this.kube.request({
        method: 'PATCH',
        path: objectPath(Resources.events, previous.namespace, previous.name),
        contentType: PatchType.merge,
        body: { count: previous.count + 1, lastTimestamp: rfc3339(new Date(now)) },
      });
    } catch (err) {
      // Expired (events have a TTL) or deleted: create a new one. A 403 or 5xx is no reason to send a duplicate.
      if (err instanceof ApiError && err.code === 404) return false;
      throw err;
    }
    previous.count += 1;
    previous.lastSent = now;
    return true;
  }

  private async create(rm: RiskModel, { type, reason, message }: { type: EventType; reason: string; message: string }, now: number): Promise<{ name: string; namespace: string }> {
    const namespace = rm.metadata.namespace;
    const name = `${rm.metadata.name}.${now.toString(16)}${randomBytes(3).toString('hex')}`;
    const at = new Date(now);
    await this.kube.request({
      method: 'POST',
      path: collectionPath(Resources.events, namespace),
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: { apiVersion: API_VERSION, kind: KIND, name: rm.metadata.name, namespace, uid: rm.metadata.uid, resourceVersion: rm.metadata.resourceVersion },
        type,
        reason,
        message: message.slice(0, 1024),
        count: 1,
        firstTimestamp: rfc3339(at),
        lastTimestamp: rfc3339(at),
        source: { component: 'riskmodel-operator' },
        reportingComponent: 'riskmodel.dev/riskmodel-operator',
        reportingInstance: this.identity.slice(0, 128),
      },
    });
    return { name, namespace };
  }

  private remember(key: string, sent: Sent): void {
    if (this.sent.size >= MAX_TRACKED) {
      const oldest = this.sent.keys().next().value;
      if (oldest !== undefined) this.sent.delete(oldest);
    }
    this.sent.set(key, sent);
  }
}
