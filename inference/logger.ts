// JSON logs (one object a line) for log collectors.

import winston from 'winston';
import type { LogLevel } from './config.js';

/** A winston logger writing JSON lines to stdout; errors logged as `logger.error(msg, err)` keep their stack. */
export function createLogger(level: LogLevel | 'silent', service = 'riskmodel-inference'): winston.Logger {
  return winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    defaultMeta: { service },
    format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}
