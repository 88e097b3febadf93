// Runs the operator from source as a child process, the way a user runs `npm run operator`,
// and keeps its JSON log so tests can wait on it and print it when they fail.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** One parsed line of the operator's JSON log; lines that are not JSON keep only `message`. */
export interface LogEntry {
  readonly message: string;
  readonly level?: string;
  readonly [field: string]: unknown;
}

export interface OperatorOptions {
  /** Kubeconfig the operator authenticates with. */
  readonly kubeconfig: string;
  /** Namespaces to watch; the operator sees nothing else. */
  readonly namespaces: readonly string[];
  /** Identity in logs and in the Lease; also the prefix of this process's log dump. */
  readonly podName: string;
  /** Leader election; off unless given (tests of election turn it on). */
  readonly lease?: { readonly name: string; readonly namespace: string; readonly durationSeconds: number };
  readonly resyncSeconds?: number;
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Node arguments that run the operator; from source through tsx unless given (the benchmark runs a build). */
  readonly nodeArgs?: readonly string[];
}

/** Stops waiting for a log line when the process exits first. */
class ExitedError extends Error {}

/**
 * A running operator. `node --import tsx` runs it in one process (no npx/tsx wrapper),
 * so SIGKILL really kills the operator and /proc/<pid> is the operator's own.
 */
export class OperatorProcess {
  readonly entries: LogEntry[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private readonly waiters = new Set<() => void>();
  private exitCode: number | null | undefined;

  private constructor(readonly options: OperatorOptions) {
    this.child = spawn(process.execPath, options.nodeArgs ?? ['--import', 'tsx', 'operator/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...operatorEnv(options) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    splitLines(this.child.stdout, (line) => this.record(line));
    splitLines(this.child.stderr, (line) => this.stderr.push(line));
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitCode = signal ? null : code;
        this.notify();
        resolve(this.exitCode);
      });
    });
  }

  /** Spawns the operator and returns at once; see `started`. */
  static spawn(options: OperatorOptions): OperatorProcess {
    return new OperatorProcess(options);
  }

  /** Resolves once the operator logged the port it serves health and metrics on. */
  async started(): Promise<this> {
    await this.waitForLog((entry) => typeof entry['port'] === 'number', 60_000, 'the operator to log its HTTP port');
    return this;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('operator process has no pid');
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The port of /healthz, /readyz and /metrics, from the operator's own log. */
  get port(): number {
    const entry = this.entries.find((e) => typeof e['port'] === 'number');
    if (!entry) throw new Error('the operator has not logged its port yet');
    return entry['port'] as number;
  }

  /**
   * The sum of the samples of `name` on the operator's /metrics whose labels pass `where`
   * (all of them by default); 0 when the metric has no samples.
   */
  async metric(name: string, where: (labels: Record<string, string>) => boolean = () => true): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`);
    let sum = 0;
    for (const line of (await response.text()).split('\n')) {
      const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (match?.[1] !== name) continue;
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
      if (where(labels)) sum += Number(match[3]);
    }
    return sum;
  }

  /** Log entries whose message is exactly `message`. */
  logged(message: string): LogEntry[] {
    return this.entries.filter((entry) => entry.message === message);
  }

  /**
   * Resolves with the first log entry (already seen or future) matching `predicate`;
   * rejects when `timeoutMs` passes or the process exits without one.
   */
  async waitForLog(predicate: (entry: LogEntry) => boolean, timeoutMs: number, what: string): Promise<LogEntry> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.entries.find(predicate);
      if (found) return found;
      if (!this.running) throw new ExitedError(`operator ${this.options.podName} exited (code ${String(this.exitCode)}) before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (operator ${this.options.podName})`);
      await this.nextLine(left);
    }
  }

  /** SIGTERM, then the exit code (null when a signal ended it). */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    const result = await Promise.race([this.exited, timer]);
    if (result === 'timeout') {
      await this.kill();
      throw new Error(`operator ${this.options.podName} did not exit within ${timeoutMs} ms of SIGTERM`);
    }
    return result;
  }

  /** SIGKILL: the crash case; no lease release, no finished reconcile. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** The log as text, for printing when a test fails. */
  dump(): string {
    const head = `----- operator ${this.options.podName} (pid ${this.child.pid ?? '?'}, exit ${String(this.exitCode)}) -----`;
    const lines = this.entries.map((entry) => JSON.stringify(entry));
    const err = this.stderr.length > 0 ? ['--- stderr ---', ...this.stderr] : [];
    return [head, ...lines, ...err].join('\n');
  }

  private record(line: string): void {
    this.entries.push(parseLine(line));
    this.notify();
  }

  private notify(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  private nextLine(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve();
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(wake);
    });
  }
}

function operatorEnv(options: OperatorOptions): Record<string, string> {
  const lease = options.lease;
  return {
    KUBECONFIG: options.kubeconfig,
    WATCH_NAMESPACES: options.namespaces.join(','),
    POD_NAME: options.podName,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: 'debug',
    RESYNC_SECONDS: String(options.resyncSeconds ?? 30),
    LEADER_ELECT: lease ? 'true' : 'false',
    ...(lease
      ? {
          LEASE_NAME: lease.name,
          LEASE_NAMESPACE: lease.namespace,
          LEASE_DURATION_SECONDS: String(lease.durationSeconds),
          RENEW_DEADLINE_SECONDS: String(Math.max(1, Math.floor((lease.durationSeconds * 2) / 3))),
          RETRY_PERIOD_SECONDS: '1',
        }
      : {}),
    ...options.extraEnv,
  };
}

function parseLine(line: string): LogEntry {
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string') {
      return parsed as LogEntry;
    }
  } catch {
    // Not JSON (a stack trace from tsx, say): keep it verbatim.
  }
  return { message: line };
}

function splitLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let buffered = '';
  stream?.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onLine(line);
  });
}
