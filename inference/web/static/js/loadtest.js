// The browser load generator: a pool of request loops, bounded in count and in time.
// Pure apart from the injected `send`, clock and sleep, so it is unit-tested under Node
// with a fake server and a fake clock.

/** Bounds on one run, so a typo in the form cannot turn the page into a flood. */
export const LIMITS = Object.freeze({
  maxRequests: 100_000,
  maxConcurrency: 64,
  maxRate: 5_000,
  maxDurationSeconds: 300,
});

// A server that refuses this many connections in a row is down; keep going would only
// spin the loops through instant failures.
const MAX_CONSECUTIVE_NETWORK_ERRORS = 50;

function integerField(raw, field, min, max) {
  const value = Number(raw);
  if (raw === '' || raw === undefined || !Number.isInteger(value) || value < min || value > max) {
    return { error: { field, message: `must be a whole number from ${min} to ${max}` } };
  }
  return { value };
}

function numberField(raw, field, min, max) {
  const value = Number(raw);
  if (raw === '' || raw === undefined || !Number.isFinite(value) || value < min || value > max) {
    return { error: { field, message: `must be a number from ${min} to ${max}` } };
  }
  return { value };
}

function collect(fields) {
  const errors = fields.filter((f) => f.error).map((f) => f.error);
  return { errors, values: fields.map((f) => f.value) };
}

/**
 * Turns the panel's raw values ({mode: 'total'|'rate', total, rate, duration,
 * concurrency}, strings or numbers) into a plan, or into every problem at once:
 * returns {plan} or {errors: [{field, message}]}, each message naming the allowed range.
 */
export function parsePlan(raw) {
  const concurrency = integerField(raw.concurrency, 'concurrency', 1, LIMITS.maxConcurrency);
  if (raw.mode === 'total') {
    const total = integerField(raw.total, 'total', 1, LIMITS.maxRequests);
    const { errors, values } = collect([total, concurrency]);
    if (errors.length > 0) return { errors };
    return { plan: { mode: 'total', total: values[0], concurrency: values[1], maxRequests: values[0], maxSeconds: LIMITS.maxDurationSeconds } };
  }
  if (raw.mode !== 'rate') return { errors: [{ field: 'mode', message: "must be 'total' or 'rate'" }] };
  const rate = numberField(raw.rate, 'rate', 1, LIMITS.maxRate);
  const duration = integerField(raw.duration, 'duration', 1, LIMITS.maxDurationSeconds);
  const { errors, values } = collect([rate, duration, concurrency]);
  if (errors.length > 0) return { errors };
  const [r, seconds, c] = values;
  if (r * seconds > LIMITS.maxRequests) {
    return { errors: [{ field: 'duration', message: `rate × duration must stay within ${LIMITS.maxRequests.toLocaleString('en-US')} requests` }] };
  }
  return { plan: { mode: 'rate', rate: r, durationSeconds: seconds, concurrency: c, maxRequests: Math.floor(r * seconds), maxSeconds: seconds } };
}

/** A sleep that ends early, without rejecting, when `signal` aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

class Run {
  constructor(plan, deps) {
    this.plan = plan;
    this.send = deps.send;
    this.now = deps.now ?? (() => performance.now());
    this.sleep = deps.sleep ?? sleep;
    this.signal = deps.signal;
    this.onResult = deps.onResult;
    this.counters = { sent: 0, ok: 0, errors: 0, inFlight: 0, errorsByKind: {} };
    this.latencies = [];
    this.claimed = 0;
    this.networkErrorsInARow = 0;
    this.start = this.now();
    this.deadline = this.start + plan.maxSeconds * 1000;
    this.stoppedBy = 'completed';
  }

  claim() {
    if (this.signal?.aborted) return this.halt('stopped');
    if (this.networkErrorsInARow >= MAX_CONSECUTIVE_NETWORK_ERRORS) return this.halt('unreachable');
    if (this.claimed >= this.plan.maxRequests) return -1;
    if (this.now() >= this.deadline) return this.halt(this.plan.mode === 'total' ? 'time-limit' : 'completed');
    this.claimed += 1;
    return this.claimed - 1;
  }

  halt(reason) {
    if (this.stoppedBy === 'completed') this.stoppedBy = reason;
    return -1;
  }

  async worker() {
    for (let slot = this.claim(); slot >= 0; slot = this.claim()) {
      if (this.plan.mode === 'rate') {
        const wait = this.start + (slot * 1000) / this.plan.rate - this.now();
        if (wait > 0) await this.sleep(wait, this.signal);
        if (this.signal?.aborted) {
          this.halt('stopped');
          return;
        }
      }
      await this.fire();
    }
  }

  async fire() {
    const c = this.counters;
    c.sent += 1;
    c.inFlight += 1;
    const t0 = this.now();
    let outcome;
    try {
      outcome = await this.send();
    } catch {
      outcome = { ok: false, status: 0 };
    }
    const t1 = this.now();
    c.inFlight -= 1;
    this.record(outcome, t1, t1 - t0);
  }

  record({ ok, status }, t, latencyMs) {
    const c = this.counters;
    this.networkErrorsInARow = status === 0 ? this.networkErrorsInARow + 1 : 0;
    if (ok) c.ok += 1;
    else {
      c.errors += 1;
      const kind = status === 0 ? 'network' : `HTTP ${status}`;
      c.errorsByKind[kind] = (c.errorsByKind[kind] ?? 0) + 1;
    }
    this.latencies.push(latencyMs);
    this.onResult?.({ t, latencyMs, ok, status });
  }

  async run() {
    const workers = Array.from({ length: this.plan.concurrency }, () => this.worker());
    await Promise.all(workers);
    const { sent, ok, errors, errorsByKind } = this.counters;
    return { sent, ok, errors, errorsByKind, elapsedMs: this.now() - this.start, stoppedBy: this.stoppedBy, latencies: this.latencies };
  }
}

/**
 * Starts a run of `plan` (from parsePlan). `deps.send()` performs one request and resolves
 * {ok, status} (a rejection counts as a network error, status 0); optional `deps.now`,
 * `deps.sleep`, `deps.signal` (abort = stop) and `deps.onResult({t, latencyMs, ok, status})`.
 * Returns {counters, done}: counters {sent, ok, errors, inFlight, errorsByKind} update live;
 * `done` resolves once every loop has finished, with the final counts, elapsed time, every
 * latency and why it stopped ('completed' | 'stopped' | 'time-limit' | 'unreachable').
 * At most `plan.concurrency` requests are in flight and at most `plan.maxRequests` are sent.
 */
export function startLoad(plan, deps) {
  const run = new Run(plan, deps);
  return { counters: run.counters, done: run.run() };
}
