// The inference server's configuration, read from the environment in this one place.

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

export interface ServerConfig {
  port: number;
  host: string;
  /** Model artifact to serve; undefined means train the default model at start. */
  modelPath: string | undefined;
  logLevel: LogLevel;
  limits: Limits;
  /** How long in-flight requests may take to finish after SIGTERM before the process gives up. */
  shutdownGraceMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  predictBodyBytes: 16 * 1024,
  batchBodyBytes: 4 * 1024 * 1024,
  batchMaxInstances: 10_000,
};

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

function logLevel(env: Env): LogLevel {
  const raw = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  return raw as LogLevel;
}

/**
 * Typed configuration from environment variables (PORT, HOST, MODEL_PATH, LOG_LEVEL,
 * PREDICT_BODY_LIMIT_BYTES, BATCH_BODY_LIMIT_BYTES, BATCH_MAX_INSTANCES,
 * SHUTDOWN_GRACE_MS). Throws ConfigError on the first bad value. Pure given `env`.
 */
export function loadConfig(env: Env): ServerConfig {
  return {
    port: integer(env, 'PORT', 8080, [0, 65535]),
    host: env.HOST || '0.0.0.0',
    modelPath: env.MODEL_PATH || undefined,
    logLevel: logLevel(env),
    limits: {
      predictBodyBytes: integer(env, 'PREDICT_BODY_LIMIT_BYTES', DEFAULT_LIMITS.predictBodyBytes, [256, 64 * 1024 * 1024]),
      batchBodyBytes: integer(env, 'BATCH_BODY_LIMIT_BYTES', DEFAULT_LIMITS.batchBodyBytes, [256, 256 * 1024 * 1024]),
      batchMaxInstances: integer(env, 'BATCH_MAX_INSTANCES', DEFAULT_LIMITS.batchMaxInstances, [1, 1_000_000]),
    },
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, [0, 600_000]),
  };
}
