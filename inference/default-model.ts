// The model served when no MODEL_PATH is given: trained at start from the default seed,
// so every instance built from the same code serves the same version.

import { DEFAULT_LABEL_NOISE, DEFAULT_SAMPLES, DEFAULT_SEED, generatePatients } from './generator.js';
import type { Model } from './model.js';
import { train } from './training.js';

let cached: Model | undefined;

/** Trains (once per process, then cached) the default model; deterministic. */
export function defaultModel(): Model {
  cached ??= train(generatePatients({ samples: DEFAULT_SAMPLES, seed: DEFAULT_SEED, labelNoise: DEFAULT_LABEL_NOISE }), {
    seed: DEFAULT_SEED,
    labelNoise: DEFAULT_LABEL_NOISE,
  }).model;
  return cached;
}
