// The labelling rule behind the synthetic data: an early-warning score modelled on the
// Royal College of Physicians' NEWS2 bands for the vitals we have (no respiratory rate,
// consciousness or supplemental oxygen), plus a diastolic band of our own.

import type { RiskClass, Vitals } from './schema.js';

/** [upper bound inclusive, points] bands, checked in order; the last band catches the rest. */
export type Bands = ReadonlyArray<readonly [number, number]>;

export const BANDS: Record<keyof Vitals, Bands> = {
  heartRate: [[40, 3], [50, 1], [90, 0], [110, 1], [130, 2], [Infinity, 3]],
  systolicBP: [[90, 3], [100, 2], [110, 1], [219, 0], [Infinity, 3]],
  diastolicBP: [[49, 1], [109, 0], [Infinity, 1]],
  temperature: [[35.0, 3], [36.0, 1], [38.0, 0], [39.0, 1], [Infinity, 2]],
  oxygenSaturation: [[91, 3], [93, 2], [95, 1], [Infinity, 0]],
};

function points(bands: Bands, value: number): number {
  for (const [upper, score] of bands) {
    if (value <= upper) return score;
  }
  return 0;
}

/** Points per vital sign under the bands above; pure. */
export function scoreVitals(vitals: Vitals): Record<keyof Vitals, number> {
  return {
    heartRate: points(BANDS.heartRate, vitals.heartRate),
    systolicBP: points(BANDS.systolicBP, vitals.systolicBP),
    diastolicBP: points(BANDS.diastolicBP, vitals.diastolicBP),
    temperature: points(BANDS.temperature, vitals.temperature),
    oxygenSaturation: points(BANDS.oxygenSaturation, vitals.oxygenSaturation),
  };
}

/**
 * NEWS2-style risk: aggregate ≥ 7 is High; aggregate 5–6, or any single vital scoring 3,
 * is Medium; otherwise Low. Pure.
 */
export function earlyWarningRisk(vitals: Vitals): RiskClass {
  const scores = Object.values(scoreVitals(vitals));
  const total = scores.reduce((sum, s) => sum + s, 0);
  if (total >= 7) return 'High';
  if (total >= 5 || scores.some((s) => s === 3)) return 'Medium';
  return 'Low';
}
