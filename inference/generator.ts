// The one source of synthetic patients: training records, the load tests' patients and the
// example patients of the web page and the demo. Each patient has a hidden acuity that moves
// the vitals the way deterioration does (pulse and temperature up, blood pressure and SpO2
// down) around normal individual variation; a training label comes from the early-warning
// rule, then a few labels are flipped to a neighbouring class to model clinical judgement noise.

import { earlyWarningRisk } from './early-warning.js';
import { mulberry32, normalSource } from './random.js';
import { CLASS_NAMES, FEATURES, type RiskClass, type Vitals } from './schema.js';

export interface PatientRecord {
  vitals: Vitals;
  label: RiskClass;
}

export interface GeneratorOptions {
  samples: number;
  seed: number;
  /** Probability that a label is moved to a neighbouring class. */
  labelNoise?: number;
}

export const DEFAULT_SAMPLES = 1000;
export const DEFAULT_SEED = 42;
export const DEFAULT_LABEL_NOISE = 0.05;

const round = (value: number, decimals: number): number => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

function clampToSchema(vitals: Vitals): Vitals {
  const out = { ...vitals };
  for (const f of FEATURES) out[f.name] = Math.min(f.max, Math.max(f.min, out[f.name]));
  out.diastolicBP = Math.min(out.diastolicBP, out.systolicBP - 10);
  return out;
}

/** Vitals as a bedside monitor reports them: whole numbers, temperature to 0.1 °C. */
function samplePatient(normal: () => number, uniform: () => number): Vitals {
  // Acuity ≥ 0: most patients are stable, a long tail is deteriorating.
  const acuity = uniform() < 0.45 ? Math.abs(normal()) * 0.4 : Math.abs(normal()) * 1.6 + 0.4;
  const systolic = 128 - 16 * acuity + 14 * normal();
  const vitals: Vitals = {
    heartRate: round(74 + 17 * acuity + 9 * normal(), 0),
    systolicBP: round(systolic, 0),
    diastolicBP: round(0.5 * systolic + 16 + 7 * normal(), 0),
    temperature: round(36.8 + 0.6 * acuity + 0.35 * normal(), 1),
    oxygenSaturation: round(Math.min(100, 97.6 - 2.1 * acuity + 1.1 * normal()), 0),
  };
  return clampToSchema(vitals);
}

function withNoise(label: RiskClass, uniform: () => number, noise: number): RiskClass {
  if (uniform() >= noise) return label;
  const index = CLASS_NAMES.indexOf(label);
  const up = index === 0 || (index === 1 && uniform() < 0.5);
  return CLASS_NAMES[up ? index + 1 : index - 1] ?? label;
}

/** What a clinician would enter for a stable patient and for a deteriorating one (Low and High under the early-warning rule). */
export const EXAMPLE_PATIENTS: Readonly<Record<'healthy' | 'critical', Readonly<Vitals>>> = Object.freeze({
  healthy: Object.freeze({ heartRate: 72, systolicBP: 118, diastolicBP: 76, temperature: 36.8, oxygenSaturation: 98 }),
  critical: Object.freeze({ heartRate: 138, systolicBP: 84, diastolicBP: 48, temperature: 39.6, oxygenSaturation: 86 }),
});

/**
 * An endless supply of unlabelled patients drawn like the training records: a ward's mix,
 * mostly stable with every risk class present, always inside the API's ranges. The same seed
 * gives the same patients. For load tests, so that they exercise every class.
 */
export function patientSource(seed: number): () => Vitals {
  const uniform = mulberry32(seed);
  const normal = normalSource(uniform);
  return () => samplePatient(normal, uniform);
}

/** `samples` labelled records; the same options give the same records on every machine. */
export function generatePatients(options: GeneratorOptions): PatientRecord[] {
  const uniform = mulberry32(options.seed);
  const normal = normalSource(uniform);
  const noise = options.labelNoise ?? DEFAULT_LABEL_NOISE;
  const records: PatientRecord[] = [];
  for (let i = 0; i < options.samples; i++) {
    const vitals = samplePatient(normal, uniform);
    records.push({ vitals, label: withNoise(earlyWarningRisk(vitals), uniform, noise) });
  }
  return records;
}
