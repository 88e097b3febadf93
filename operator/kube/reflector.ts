// A list-then-watch cache of one resource type (client-go's reflector + informer store).
//
// Written here rather than wrapping client-node's ListWatch, which stops for good on any watch
// error other than 410, races when restarted (the aborted request's callback aborts the new
// one), sends no timeoutSeconds or bookmarks, and stores list results as class instances but
// watch results as plain JSON. This one:
// - lists in pages, then watches from the list's resourceVersion with bookmarks and a
//   server-side timeout, resuming from the last seen resourceVersion;
// - relists on 410 Gone (deleted objects then produce `delete` events);
// - restarts a failed watch after exponential backoff, and restarts a watch that has been
//   silent (not even a bookmark) for `idleMs`, the known client-node failure mode;
// - strips managedFields from cached objects to save memory;
// - hands handlers, get() and list() the cached objects themselves, not copies (memory again):
//   callers must not change them, and the reconciler works on a structuredClone.

import { backoffMs } from '../errors.js';
import type { Logger } from '../logger.js';
import { apiVersionOf, collectionPath, type ResourceType } from './resources.js';
import { ApiError } from '../errors.js';
import type { Kube, WatchStream } from './client.js';
import { messageOf } from '../messages.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; managedFields?: unknown };
}

export type ChangeType = 'add' | 'update' | 'delete';
export type Handler<T> = (type: ChangeType, obj: T, old: T | undefined) => void;

export interface ReflectorOptions<T> {
  kube: Kube;
  resource: ResourceType;
  /** One namespace, or undefined for all. */
  namespace?: string;
  labelSelector?: string;
  /** A field selector, e.g. `metadata.name=weights` for a single object's list and watch. */
  fieldSelector?: string;
  idleMs: number;
  log: Logger;
  onEvent: Handler<T>;
  /** Called when a watch restarts, with why ('error', 'idle', 'expired'). */
  onRestart?: (reason: string) => void;
  /** Called once, after the first list has been stored (and its events delivered). */
  onSynced?: () => void;
  pageSize?: number;
}

interface ListResponse<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T & { code?: number; message?: string };
}

class Gone extends Error {}

/** The error a watch's ERROR event carries: Gone for 410 (relist), else an ApiError. */
function watchError(status: { code?: number; message?: string }): Error {
  if (status.code === 410) return new Gone(status.message);
  return new ApiError(status.code ?? 500, 'WatchError', status.message ?? 'watch error');
}

const keyOf = (obj: KubeObject): string => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

/**
 * Whether `a` is a later version than `b`. resourceVersions are opaque by contract, but etcd's
 * are increasing integers; client-go's MutationCache makes the same comparison. Anything
 * unparsable counts as not newer, so the watch's copy wins.
 */
function newer(a: KubeObject, b: KubeObject): boolean {
  try {
    return BigInt(a.metadata?.resourceVersion ?? '0') > BigInt(b.metadata?.resourceVersion ?? '0');
  } catch {
    return false;
  }
}

function strip<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields !== undefined) delete obj.metadata.managedFields;
  return obj;
}

export class Reflector<T extends KubeObject> {
  private readonly store = new Map<string, T>();
  /** Objects this process just wrote, newer than the watch has delivered (client-go's MutationCache). */
  private readonly assumed = new Map<string, T>();
  private resourceVersion = '';
  private synced = false;
  private stopped = false;
  private current: WatchStream | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: ReflectorOptions<T>) {}

  /** Starts listing and watching in the background. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops watching; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.abort();
    this.wake?.();
    await this.loop;
  }

  /** True once the first list has been stored. */
  hasSynced(): boolean {
    return this.synced;
  }

  /**
   * The cached object, or the one this process just wrote if the watch has not caught up yet
   * (so a reconcile right after a write does not see stale state and write again). Callers
   * must not mutate it.
   */
  get(namespace: string, name: string): T | undefined {
    const key = `${namespace}/${name}`;
    const cached = this.store.get(key);
    const mine = this.assumed.get(key);
    if (!mine) return cached;
    if (cached && !newer(mine, cached)) {
      this.assumed.delete(key);
      return cached;
    }
    return mine;
  }

  /** Records an object returned by a write; superseded when the watch delivers it or a newer version, dropped on delete. */
  assume(obj: T): void {
    this.assumed.set(keyOf(obj), strip(obj));
  }

  /** Every cached object, including those this process just wrote (as get() serves them); callers must not mutate them. */
  list(): T[] {
    if (this.assumed.size === 0) return [...this.store.values()];
    const all = new Map(this.store);
    for (const key of this.assumed.keys()) {
      const slash = key.indexOf('/');
      const current = this.get(key.slice(0, slash), key.slice(slash + 1));
      if (current) all.set(key, current);
    }
    return [...all.values()];
  }

  private describe(): string {
    const { resource, namespace, fieldSelector } = this.opts;
    return `${resource.plural}${namespace ? ` in ${namespace}` : ''}${fieldSelector ? ` (${fieldSelector})` : ''}`;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (this.resourceVersion === '') await this.relist();
        const reason = await this.watchOnce();
        failures = 0;
        if (reason !== 'closed') this.opts.onRestart?.(reason);
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof Gone) {
          this.resourceVersion = '';
          this.opts.onRestart?.('expired');
          continue;
        }
        await this.retryAfter(err, ++failures);
      }
    }
  }

  /** Logs a failed list or watch and waits out its backoff (cut short by stop). */
  private async retryAfter(err: unknown, failures: number): Promise<void> {
    const delay = backoffMs(failures, { baseMs: 500, capMs: 30_000 });
    const missing = err instanceof ApiError && err.code === 404 ? ` (is the ${this.opts.resource.kind} API installed? for RiskModels: kubectl apply -f crds/)` : '';
    this.opts.log.warn('watch failed; retrying', { resource: this.describe(), attempt: failures, retryInMs: delay, error: messageOf(err) + missing });
    this.opts.onRestart?.('error');
    await this.sleep(delay);
  }

  private async relist(): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.opts.kube.request<ListResponse<T>>({
        method: 'GET',
        path: collectionPath(this.opts.resource, this.opts.namespace),
        query: { ...this.selectors(), limit: this.opts.pageSize ?? 500, continue: cont },
      });
      // List items carry no apiVersion/kind; restore them so cached objects look like watched ones.
      items.push(...(page.items ?? []).map((item) => strip({ ...item, apiVersion: apiVersionOf(this.opts.resource), kind: this.opts.resource.kind })));
      cont = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? '';
    } while (cont);
    this.replace(items);
    this.resourceVersion = resourceVersion;
    if (this.synced) return;
    this.synced = true;
    this.opts.onSynced?.();
  }

  private selectors(): { labelSelector?: string; fieldSelector?: string } {
    const { labelSelector, fieldSelector } = this.opts;
    return { ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) };
  }

  private replace(items: T[]): void {
    const fresh = new Set(items.map(keyOf));
    for (const [key, old] of [...this.store]) {
      if (fresh.has(key)) continue;
      this.store.delete(key);
      this.assumed.delete(key);
      this.opts.onEvent('delete', old, old);
    }
    for (const obj of items) this.upsert(obj);
  }

  private upsert(obj: T): void {
    const key = keyOf(obj);
    const mine = this.assumed.get(key);
    if (mine && !newer(mine, obj)) this.assumed.delete(key);
    const old = this.store.get(key);
    this.store.set(key, obj);
    this.opts.onEvent(old ? 'update' : 'add', obj, old);
  }

  /** One watch; resolves 'closed' when the server ends it, 'idle' when the watchdog fired. */
  private watchOnce(): Promise<'closed' | 'idle'> {
    const idleMs = this.opts.idleMs;
    // The server closes the watch first, well before the watchdog would fire.
    const timeoutSeconds = Math.max(5, Math.floor((idleMs / 1000) * (0.5 + Math.random() * 0.25)));
    let lastEvent = Date.now();
    let idle = false;
    let failure: Error | undefined;
    const stream = this.opts.kube.watch(
      collectionPath(this.opts.resource, this.opts.namespace),
      { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds, ...this.selectors() },
      (event) => {
        lastEvent = Date.now();
        try {
          this.apply(event as WatchEvent<T>);
        } catch (err) {
          failure = err instanceof Error ? err : new Error(String(err));
          stream.abort();
        }
      },
    );
    this.current = stream;
    const watchdog = setInterval(() => {
      if (Date.now() - lastEvent < idleMs) return;
      idle = true;
      this.opts.log.warn('watch silent for too long; restarting it', { resource: this.describe(), idleMs });
      stream.abort();
    }, Math.min(idleMs, 5_000));
    return stream.done
      .then(
        () => 'closed' as const,
        (err: unknown) => {
          if (failure === undefined && idle) return 'idle' as const;
          throw failure ?? err;
        },
      )
      .then((result) => {
        if (failure !== undefined) throw failure;
        return result;
      })
      .finally(() => {
        clearInterval(watchdog);
        this.current = undefined;
      });
  }

  private apply(event: WatchEvent<T>): void {
    const rv = event.object?.metadata?.resourceVersion;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.upsert(strip(event.object));
        break;
      case 'DELETED':
        this.remove(strip(event.object));
        break;
      case 'BOOKMARK':
        break;
      case 'ERROR':
        throw watchError(event.object);
    }
    if (rv) this.resourceVersion = rv;
  }

  private remove(obj: T): void {
    const key = keyOf(obj);
    const old = this.store.get(key);
    this.store.delete(key);
    this.assumed.delete(key);
    this.opts.onEvent('delete', obj, old);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
