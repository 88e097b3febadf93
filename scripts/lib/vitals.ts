// Request bodies for load tests, from the patient generator the model is trained on
// (inference/generator.ts): a load made of one repeated body exercises one code path, a ward's
// mix of stable, unwell and critical patients exercises every risk class.

import type { Vitals } from '../../inference/schema.js';

/** A source of vitals; each call returns a new patient (inference/generator.ts patientSource). */
export type VitalsSource = () => Vitals;

/** The JSON body of one request: a patient for `/predict`, or `{instances}` of `batch` patients. */
export function requestBody(next: VitalsSource, batch: number | undefined): string {
  if (batch === undefined) return JSON.stringify(next());
  return JSON.stringify({ instances: Array.from({ length: batch }, next) });
}
