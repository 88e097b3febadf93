// Randomised, plausible patient vitals for load tests. A load made of one repeated body
// exercises one code path; a ward's mix of stable, unwell and critical patients exercises
// every risk class the model can answer, the way production traffic would.

import { mulberry32, normalSource } from '../../inference/random.js';
import { FEATURES, type Vitals } from '../../inference/schema.js';

interface Profile {
  /** Share of patients with this profile; the shares sum to 1. */
  share: number;
  mean: Vitals;
  spread: Vitals;
}

// Means and standard deviations per profile, from typical adult ward observations.
const PROFILES: readonly Profile[] = [
  {
    share: 0.7,
    mean: { heartRate: 76, systolicBP: 124, diastolicBP: 78, temperature: 36.8, oxygenSaturation: 97.5 },
    spread: { heartRate: 10, systolicBP: 12, diastolicBP: 8, temperature: 0.35, oxygenSaturation: 1.2 },
  },
  {
    share: 0.2,
    mean: { heartRate: 104, systolicBP: 106, diastolicBP: 66, temperature: 38.2, oxygenSaturation: 93.5 },
    spread: { heartRate: 12, systolicBP: 12, diastolicBP: 8, temperature: 0.5, oxygenSaturation: 1.8 },
  },
  {
    share: 0.1,
    mean: { heartRate: 128, systolicBP: 88, diastolicBP: 52, temperature: 39.2, oxygenSaturation: 88 },
    spread: { heartRate: 14, systolicBP: 12, diastolicBP: 8, temperature: 0.6, oxygenSaturation: 3 },
  },
];

/** A source of vitals; each call returns a new patient. */
export type VitalsSource = () => Vitals;

/**
 * Patients drawn from a mix of stable (70 %), unwell (20 %) and critical (10 %) profiles,
 * reported as a bedside monitor does (whole numbers, temperature to 0.1 °C), always inside
 * the inference server's accepted ranges and with diastolic below systolic. The same seed
 * gives the same patients; without one each run differs.
 */
export function vitalsSource(seed: number = Math.floor(Math.random() * 2 ** 32)): VitalsSource {
  const uniform = mulberry32(seed);
  const normal = normalSource(uniform);
  return () => {
    const profile = pickProfile(uniform());
    const draw = (name: keyof Vitals): number => profile.mean[name] + profile.spread[name] * normal();
    const systolicBP = Math.round(draw('systolicBP'));
    return withinSchema({
      heartRate: Math.round(draw('heartRate')),
      systolicBP,
      diastolicBP: Math.min(Math.round(draw('diastolicBP')), systolicBP - 15),
      temperature: Math.round(draw('temperature') * 10) / 10,
      oxygenSaturation: Math.min(100, Math.round(draw('oxygenSaturation'))),
    });
  };
}

function pickProfile(roll: number): Profile {
  let cumulative = 0;
  for (const profile of PROFILES) {
    cumulative += profile.share;
    if (roll < cumulative) return profile;
  }
  return PROFILES[0] as Profile;
}

function withinSchema(vitals: Vitals): Vitals {
  const out = { ...vitals };
  for (const feature of FEATURES) out[feature.name] = Math.min(feature.max, Math.max(feature.min, out[feature.name]));
  return out;
}

/** The JSON body of one request: a patient for `/predict`, or `{instances}` of `batch` patients. */
export function requestBody(next: VitalsSource, batch: number | undefined): string {
  if (batch === undefined) return JSON.stringify(next());
  return JSON.stringify({ instances: Array.from({ length: batch }, next) });
}
