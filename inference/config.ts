// The inference server's configuration, read from the environment in this one place.

import { DEFAULT_DRIFT_WINDOW_ROWS } from './drift/monitor.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Limits {
  /** Largest accepted body for POST /predict, bytes. */
  predictBodyBytes: number;
  /** Largest accepted body for POST /predict/batch, bytes. */
  batchBodyBytes: number;
  /** Most patients in one batch request. */
  batchMaxInstances: number;
}

/** Socket limits: a flood of idle or slow connections cannot hold the server for long. */
export interface ConnectionLimits {
  /** Time a client has to send the request headers (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this many are closed as soon as they are accepted. */
  maxConnections: number;
}

/** The SIGTERM sequence; see inference/http/connections.ts. */
export interface ShutdownTiming {
  /** Readiness is 503 while the listener still accepts, so endpoints drop the pod first. */
  drainDelayMs: number;
  /** After the listener closed: how long in-flight requests may take before they are cut. */
  graceMs: number;
}

export interface ServerConfig {
  port: number;
  host: string;
  /** The name the Open Inference Protocol routes serve the model under. */
  modelName: string;
  /** Model artifact to serve; undefined means train the default model at start. */
  modelPath: string | undefined;
  logLevel: LogLevel;
  limits: Limits;
  connections: ConnectionLimits;
  shutdown: ShutdownTiming;
  /** Scored rows the input drift window holds (inference/drift/window.ts); 0 turns drift tracking off. */
  driftWindowRows: number;
}

export const DEFAULT_LIMITS: Limits = {
  predictBodyBytes: 16 * 1024,
  batchBodyBytes: 4 * 1024 * 1024,
  batchMaxInstances: 10_000,
};

export const DEFAULT_CONNECTIONS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 2048,
};

export const DEFAULT_SHUTDOWN: ShutdownTiming = { drainDelayMs: 5_000, graceMs: 10_000 };

export const DEFAULT_MODEL_NAME = 'patient-risk';

/** Raised for an unusable setting; the message names the variable and what it accepts. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, [min, max]: [number, number]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

// A model name is a URL path segment in /v2/models/{name}: DNS-label-like, as RiskModel names are.
const MODEL_NAME = /^[a-z0-9]([a-z0-9._-]{0,251}[a-z0-9])?$/;

function modelName(env: Env): string {
  const raw = env.MODEL_NAME || DEFAULT_MODEL_NAME;
  if (!MODEL_NAME.test(raw)) {
    throw new ConfigError(`MODEL_NAME must be 1 to 253 lowercase letters, digits, '.', '_' or '-', starting and ending with a letter or digit, got "${raw}"`);
  }
  return raw;
}

function connections(env: Env): ConnectionLimits {
  const d = DEFAULT_CONNECTIONS;
  return {
    headersTimeoutMs: integer(env, 'HEADERS_TIMEOUT_MS', d.headersTimeoutMs, [100, 600_000]),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', d.requestTimeoutMs, [100, 600_000]),
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs, [100, 600_000]),
    maxConnections: integer(env, 'MAX_CONNECTIONS', d.maxConnections, [1, 1_000_000]),
  };
}

/** Smallest non-zero window: below it PSI's sampling noise alone reads as drift. */
export const MIN_DRIFT_WINDOW_ROWS = 100;

function driftWindowRows(env: Env): number {
  const raw = env.DRIFT_WINDOW_ROWS;
  if (raw === undefined || raw === '') return DEFAULT_DRIFT_WINDOW_ROWS;
  const value = Number(raw);
  if (!Number.isInteger(value) || (value !== 0 && (value < MIN_DRIFT_WINDOW_ROWS || value > 1_000_000))) {
    throw new ConfigError(`DRIFT_WINDOW_ROWS must be 0 (drift tracking off) or an integer from ${MIN_DRIFT_WINDOW_ROWS} to 1000000, got "${env.DRIFT_WINDOW_ROWS}"`);
  }
  return value;
}

function logLevel(env: Env): LogLevel {
  const raw = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  return raw as LogLevel;
}

/**
 * Typed configuration from environment variables (PORT, HOST, MODEL_PATH, LOG_LEVEL,
 * MODEL_NAME, PREDICT_BODY_LIMIT_BYTES, BATCH_BODY_LIMIT_BYTES, BATCH_MAX_INSTANCES,
 * HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, MAX_CONNECTIONS,
 * SHUTDOWN_DRAIN_DELAY_MS, SHUTDOWN_GRACE_MS, DRIFT_WINDOW_ROWS). Throws ConfigError on the first bad value.
 * Pure given `env`.
 */
export function loadConfig(env: Env): ServerConfig {
  return {
    port: integer(env, 'PORT', 8080, [0, 65535]),
    host: env.HOST || '0.0.0.0',
    modelName: modelName(env),
    modelPath: env.MODEL_PATH || undefined,
    logLevel: logLevel(env),
    limits: {
      predictBodyBytes: integer(env, 'PREDICT_BODY_LIMIT_BYTES', DEFAULT_LIMITS.predictBodyBytes, [256, 64 * 1024 * 1024]),
      batchBodyBytes: integer(env, 'BATCH_BODY_LIMIT_BYTES', DEFAULT_LIMITS.batchBodyBytes, [256, 256 * 1024 * 1024]),
      batchMaxInstances: integer(env, 'BATCH_MAX_INSTANCES', DEFAULT_LIMITS.batchMaxInstances, [1, 1_000_000]),
    },
    connections: connections(env),
    shutdown: {
      drainDelayMs: integer(env, 'SHUTDOWN_DRAIN_DELAY_MS', DEFAULT_SHUTDOWN.drainDelayMs, [0, 600_000]),
      graceMs: integer(env, 'SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN.graceMs, [0, 600_000]),
    },
    driftWindowRows: driftWindowRows(env),
  };
}
