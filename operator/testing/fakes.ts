// In-memory stand-ins for unit tests: a manual clock, a Lease store with the API server's
// optimistic-concurrency rules, a recording event sink and a silent logger.

import { Writable } from 'node:stream';
import type { RiskModel } from '../api/riskmodel.js';
import { ApiError } from '../errors.js';
import type { EventType, Recorder } from '../runtime/events.js';
import type { Clock, LeaseRecord, LeaseStore, StoredLease } from '../runtime/leader.js';
import { createLogger, type Logger } from '../logger.js';

/** A clock that only moves when told; sleepers wake in time order. */
export class FakeClock implements Clock {
  private time = 1_700_000_000_000;
  private sleepers: { at: number; wake: () => void }[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const onAbort = () => resolve();
      this.sleepers.push({
        at: this.time + ms,
        wake: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves time forward step by step, letting woken tasks run between steps. */
  async advance(ms: number, stepMs = 100): Promise<void> {
    const end = this.time + ms;
    while (this.time < end) {
      this.time = Math.min(end, this.time + stepMs);
      const due = this.sleepers.filter((s) => s.at <= this.time);
      this.sleepers = this.sleepers.filter((s) => s.at > this.time);
      for (const s of due) s.wake();
      await settle();
    }
  }
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

export class MemoryLeaseStore implements LeaseStore {
  lease: StoredLease | undefined;
  private version = 1;
  failing = false;

  describe(): string {
    return 'test/lease';
  }

  get(): Promise<StoredLease | undefined> {
    if (this.failing) return Promise.reject(new ApiError(503, 'ServiceUnavailable', 'api server down'));
    return Promise.resolve(this.lease && structuredClone(this.lease));
  }

  create(record: LeaseRecord): Promise<void> {
    if (this.failing) return Promise.reject(new ApiError(503, 'ServiceUnavailable', 'api server down'));
    if (this.lease) return Promise.reject(new ApiError(409, 'AlreadyExists', 'exists'));
    this.lease = { record: { ...record }, resourceVersion: String(this.version++) };
    return Promise.resolve();
  }

  update(record: LeaseRecord, resourceVersion: string): Promise<void> {
    if (this.failing) return Promise.reject(new ApiError(503, 'ServiceUnavailable', 'api server down'));
    if (this.lease?.resourceVersion !== resourceVersion) return Promise.reject(new ApiError(409, 'Conflict', 'the object has been modified'));
    this.lease = { record: { ...record }, resourceVersion: String(this.version++) };
    return Promise.resolve();
  }
}

export interface RecordedEvent {
  name: string;
  type: EventType;
  reason: string;
  message: string;
}

export class RecordingRecorder implements Recorder {
  readonly events: RecordedEvent[] = [];

  record(rm: RiskModel, type: EventType, reason: string, message: string): Promise<void> {
    this.events.push({ name: rm.metadata.name, type, reason, message });
    return Promise.resolve();
  }
}

/** A JSON logger whose lines are kept in memory (parsed). */
export function memoryLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger('debug', stream), lines };
}
