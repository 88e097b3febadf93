// Open Inference Protocol metadata: the server's, and the model's inputs and outputs with
// each feature's unit and allowed range in `parameters`, and the pod's input drift. Pure.

import type { DriftReport } from '../drift/monitor.js';
import type { Model } from '../model.js';
import { OUTPUT_NAMES } from './request.js';

/** The server's name and version in GET /v2 (a test keeps the version equal to package.json's). */
export const SERVER_NAME = 'riskmodel-inference';
export const SERVER_VERSION = '0.1.0';
/** The name of the [N, features] input. */
export const MATRIX_INPUT = 'vitals';
export const PLATFORM = 'riskmodel_ordinal-logistic-regression';

type Parameters = Record<string, string | number | boolean>;

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: Parameters;
}

export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  parameters: Parameters;
}

/** GET /v2. */
export function serverMetadata(): { name: string; version: string; extensions: string[] } {
  return { name: SERVER_NAME, version: SERVER_VERSION, extensions: [] };
}

/**
 * Input drift as metadata parameters (flat, as the protocol's parameters are):
 * `input_drift` "available" or "unavailable: why", and when available the window's rows and
 * capacity, the PSI of the predicted classes and `input_drift_psi_<feature>` per feature (−1
 * while the window is empty, as a parameter cannot be null). Pure.
 */
export function driftParameters(drift: DriftReport): Parameters {
  if (!drift.available) return { input_drift: `unavailable: ${drift.reason}` };
  const parameters: Parameters = {
    input_drift: 'available',
    input_drift_window_rows: drift.window.rows,
    input_drift_window_capacity: drift.window.capacity,
    prediction_drift_psi: drift.predictions.psi ?? -1,
  };
  for (const f of drift.features) parameters[`input_drift_psi_${f.name}`] = f.psi ?? -1;
  return parameters;
}

/**
 * GET /v2/models/{name}: the matrix input first (its `features` parameter gives the column
 * order), then one input per feature, either form accepted; then the outputs.
 */
export function modelMetadata(model: Model, name: string, drift?: DriftReport): ModelMetadata {
  const order = model.features.map((f) => f.name).join(',');
  const matrix: TensorMetadata = {
    name: MATRIX_INPUT,
    datatype: 'FP64',
    shape: [-1, model.features.length],
    parameters: { features: order, units: model.features.map((f) => f.unit).join(','), content: `one row per patient; columns in the order of "features". Alternative to the per-feature inputs` },
  };
  const perFeature = model.features.map((f): TensorMetadata => ({
    name: f.name,
    datatype: 'FP64',
    shape: [-1],
    parameters: { unit: f.unit, min: f.min, max: f.max, description: f.description },
  }));
  const outputs: Record<(typeof OUTPUT_NAMES)[number], TensorMetadata> = {
    risk: { name: 'risk', datatype: 'BYTES', shape: [-1], parameters: { classes: model.classes.join(',') } },
    confidence: { name: 'confidence', datatype: 'FP64', shape: [-1], parameters: { content: 'probability of the predicted risk class' } },
    probabilities: { name: 'probabilities', datatype: 'FP64', shape: [-1, model.classes.length], parameters: { classes: model.classes.join(',') } },
  };
  return {
    name,
    versions: [model.version],
    platform: PLATFORM,
    inputs: [matrix, ...perFeature],
    outputs: OUTPUT_NAMES.map((n) => outputs[n]),
    parameters: {
      input_forms: `either the one input "${MATRIX_INPUT}" of shape [N, ${model.features.length}], or the ${model.features.length} per-feature inputs of shape [N]`,
      datatypes: 'FP64, FP32, or integer types (INT8 to UINT64) with integer values',
      ...(drift ? driftParameters(drift) : {}),
    },
  };
}
