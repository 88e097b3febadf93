// Model artifacts that every validator accepts but that serve broken numbers, for tests of
// what the server and the operator do with a faulty model. Pure: text in, text out.
import { modelVersion, type Model } from '../../inference/model.js';
import { FEATURE_NAMES, SMOKE_PATIENT } from '../../inference/schema.js';

const [UP, DOWN] = [FEATURE_NAMES.indexOf('heartRate'), FEATURE_NAMES.indexOf('systolicBP')];

/**
 * `good` with its first two standardized features (heartRate and systolicBP of a raw-features
 * artifact; the two derived scores of a derived one) centred on `means`, deviations 5e-324,
 * weights 1.
 */
export function infiniteScale(good: string, means: [number, number]): string {
  const model = JSON.parse(good) as Model;
  model.standardization.mean[UP] = means[0];
  model.standardization.mean[DOWN] = means[1];
  model.standardization.std[UP] = 5e-324;
  model.standardization.std[DOWN] = 5e-324;
  for (const t of model.thresholds) {
    t.weights[UP] = 1;
    t.weights[DOWN] = 1;
  }
  return JSON.stringify({ ...model, version: modelVersion(model) });
}

/**
 * A model artifact every validator accepts (finite numbers, positive deviations, a matching
 * version hash) whose predictions are NaN: two features standardise to +∞ and −∞ and carry
 * weights of the same sign, so every score is ∞ − ∞. The server's smoke prediction refuses it.
 */
export function smokeFailingArtifact(good: string): string {
  return infiniteScale(good, [-1e6, 1e6]);
}

/**
 * A model artifact every validator accepts that passes the smoke predictions of the server and
 * of the operator's canary analysis (SMOKE_PATIENT has heartRate 78 and systolicBP 122, exactly
 * the two means, so both standardise to 0) but scores ∞ − ∞ = NaN for any patient whose
 * heartRate and systolicBP both differ from those, and ±∞ (non-finite contributions) when one
 * differs. Pods start and turn Ready; their
 * prediction routes answer 500 ("the model produced a non-finite score") to other patients.
 */
export function errorProneArtifact(good: string): string {
  const kind = (JSON.parse(good) as Model).transform?.kind ?? 'raw';
  // Derived features mix every vital, so the smoke patient's own contributions would be non-finite and the smoke checks would refuse it.
  if (kind !== 'raw') throw new Error(`errorProneArtifact needs a raw-features artifact (e.g. inference/testdata/model-v1-raw-features.json), got transform ${kind}`);
  return infiniteScale(good, [SMOKE_PATIENT.heartRate, SMOKE_PATIENT.systolicBP]);
}
