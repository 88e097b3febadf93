// A keyed work queue with client-go workqueue semantics:
// - a key waiting in the queue is stored once, however often it is added (de-duplication);
// - a key being processed is never handed out again until `done`; adds during processing
//   mark it dirty and it is re-queued on `done`, so the latest event is never lost;
// - `countFailure` counts a key's failures until `forget`, for the caller's backoff;
// - `addAfter` keeps only the earliest pending timer per key.

export interface QueueOptions {
  /** Called whenever the number of waiting keys changes (for the queue-depth gauge). */
  onDepth?: (depth: number) => void;
}

interface Timer {
  at: number;
  handle: ReturnType<typeof setTimeout>;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, Timer>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly onDepth: (depth: number) => void;

  constructor(options: QueueOptions = {}) {
    this.onDepth = options.onDepth ?? (() => undefined);
  }

  /** Queues a key unless it is already waiting; a key in processing is re-queued on `done`. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  /** Adds the key after `ms`; an earlier pending timer for the key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.handle);
    const handle = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    this.timers.set(key, { at, handle });
  }

  /** Counts one more failure of the key and returns how many there were since the last `forget`. Schedules nothing. */
  countFailure(key: string): number {
    const attempts = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempts);
    return attempts;
  }

  /** Resets the key's failure count; call after a successful reconcile. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to process, or undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.startProcessing(key);
      this.onDepth(this.queue.length);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key finished; it is queued again if it was added meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.enqueue(key);
  }

  /** Stops handing out keys: waiting `get` calls resolve undefined, timers are cancelled. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const timer of this.timers.values()) clearTimeout(timer.handle);
    this.timers.clear();
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve(undefined);
  }

  private enqueue(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.startProcessing(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
    this.onDepth(this.queue.length);
  }

  private startProcessing(key: string): void {
    this.dirty.delete(key);
    this.processing.add(key);
  }
}
