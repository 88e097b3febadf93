// GET /examples: the example patients and a batch of random ward patients, from the server's
// own generator, so the web page never carries a copy of it.

import type { Request, Response } from 'express';
import { EXAMPLE_PATIENTS, patientSource } from '../generator.js';
import { httpError, sendJsonText } from './respond.js';

/** The most patients one request may ask for (the page's load-test pool). */
export const MAX_EXAMPLE_PATIENTS = 1000;
const MAX_SEED = 2 ** 32 - 1;

function integerParam(req: Request, name: string, [min, max]: [number, number], fallback: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw httpError(400, 'bad request', { field: name, message: `must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}` });
  }
  return value;
}

/** `?count=` random patients (0–1000, default 0) besides the fixed examples; `?seed=` makes them repeatable. */
export function examples(req: Request, res: Response): void {
  const count = integerParam(req, 'count', [0, MAX_EXAMPLE_PATIENTS], 0);
  const next = patientSource(integerParam(req, 'seed', [0, MAX_SEED], Math.floor(Math.random() * MAX_SEED)));
  sendJsonText(res, 200, JSON.stringify({ ...EXAMPLE_PATIENTS, patients: Array.from({ length: count }, next) }));
}
