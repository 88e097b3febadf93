// Types for loadtest.js (plain JS served to the browser; typed for the Node unit tests).
export interface FieldError {
  field: string;
  message: string;
}
export interface Plan {
  mode: 'total' | 'rate';
  concurrency: number;
  maxRequests: number;
  maxSeconds: number;
  total?: number;
  rate?: number;
  durationSeconds?: number;
}
export interface RawPlan {
  mode: string;
  total?: string | number;
  rate?: string | number;
  duration?: string | number;
  concurrency?: string | number;
}
export interface Outcome {
  ok: boolean;
  status: number;
}
export interface Counters {
  sent: number;
  ok: number;
  errors: number;
  inFlight: number;
  errorsByKind: Record<string, number>;
}
export interface RunResult {
  sent: number;
  ok: number;
  errors: number;
  errorsByKind: Record<string, number>;
  elapsedMs: number;
  stoppedBy: 'completed' | 'stopped' | 'time-limit' | 'unreachable';
  latencies: number[];
}
export interface LoadDeps {
  send: () => Promise<Outcome>;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  onResult?: (result: Outcome & { t: number; latencyMs: number }) => void;
}
export declare const LIMITS: Readonly<{ maxRequests: number; maxConcurrency: number; maxRate: number; maxDurationSeconds: number }>;
export declare function parsePlan(raw: RawPlan): { plan: Plan; errors?: undefined } | { errors: FieldError[]; plan?: undefined };
export declare function sleep(ms: number, signal?: AbortSignal): Promise<void>;
export declare function startLoad(plan: Plan, deps: LoadDeps): { counters: Counters; done: Promise<RunResult> };
