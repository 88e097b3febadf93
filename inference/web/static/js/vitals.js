// Example patients for the form, and randomised but plausible patients for the load test.
// Pure: no DOM, no network, so it is unit-tested under Node as well as used by the page.

/** Fixed examples behind the "Healthy" and "Critical" buttons. */
export const EXAMPLES = Object.freeze({
  healthy: Object.freeze({ heartRate: 72, systolicBP: 118, diastolicBP: 76, temperature: 36.8, oxygenSaturation: 98 }),
  critical: Object.freeze({ heartRate: 138, systolicBP: 84, diastolicBP: 50, temperature: 39.6, oxygenSaturation: 86 }),
});

// A mixed ward: mostly stable patients, some deteriorating, a few critical, so a load test
// exercises every class rather than one cached-looking answer.
const PROFILES = [
  {
    weight: 0.6,
    mean: { heartRate: 74, systolicBP: 121, diastolicBP: 78, temperature: 36.8, oxygenSaturation: 97.5 },
    sd: { heartRate: 9, systolicBP: 11, diastolicBP: 7, temperature: 0.3, oxygenSaturation: 1.2 },
  },
  {
    weight: 0.3,
    mean: { heartRate: 104, systolicBP: 104, diastolicBP: 66, temperature: 38.2, oxygenSaturation: 93.5 },
    sd: { heartRate: 10, systolicBP: 10, diastolicBP: 7, temperature: 0.5, oxygenSaturation: 1.8 },
  },
  {
    weight: 0.1,
    mean: { heartRate: 130, systolicBP: 86, diastolicBP: 52, temperature: 39.3, oxygenSaturation: 87.5 },
    sd: { heartRate: 12, systolicBP: 9, diastolicBP: 6, temperature: 0.6, oxygenSaturation: 2.5 },
  },
];

const DECIMALS = { temperature: 1 };
const MIN_PULSE_PRESSURE = 10;

function gaussian(random) {
  // Box–Muller; 1 - u keeps log() away from 0.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function pickProfile(random) {
  let r = random();
  for (const profile of PROFILES) {
    r -= profile.weight;
    if (r < 0) return profile;
  }
  return PROFILES[0];
}

function round(name, value) {
  const factor = 10 ** (DECIMALS[name] ?? 0);
  return Math.round(value * factor) / factor;
}

function clamp(value, range) {
  if (!range) return value;
  return Math.min(range.max, Math.max(range.min, value));
}

/**
 * One random patient. `features` is the model card's feature list ({name, min, max});
 * every value is kept inside its allowed range, and diastolic stays at least 10 mmHg
 * below systolic, so each generated request is one the server must accept.
 * `random` returns numbers in [0, 1) (Math.random by default; tests pass a seeded one).
 */
export function randomVitals(features, random = Math.random) {
  const profile = pickProfile(random);
  const ranges = new Map(features.map((f) => [f.name, f]));
  const vitals = {};
  for (const [name, mean] of Object.entries(profile.mean)) {
    const value = mean + gaussian(random) * profile.sd[name];
    vitals[name] = round(name, clamp(value, ranges.get(name)));
  }
  const systolic = ranges.get('systolicBP');
  const diastolic = ranges.get('diastolicBP');
  if (vitals.diastolicBP > vitals.systolicBP - MIN_PULSE_PRESSURE) {
    vitals.diastolicBP = clamp(vitals.systolicBP - MIN_PULSE_PRESSURE, diastolic);
    vitals.systolicBP = clamp(Math.max(vitals.systolicBP, vitals.diastolicBP + MIN_PULSE_PRESSURE), systolic);
  }
  return vitals;
}
