// JSON logs (winston). Reconcile lines carry `namespace` and `name` through child loggers.

import winston from 'winston';
import type { Writable } from 'node:stream';
import type { LogLevel } from './config.js';

export type Logger = winston.Logger;

/** A JSON logger at `level`, writing to stdout unless another stream is given (tests). */
export function createLogger(level: LogLevel, stream?: Writable): Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.timestamp(), winston.format.json()),
    defaultMeta: { component: 'riskmodel-operator' },
    transports: [stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console()],
  });
}
