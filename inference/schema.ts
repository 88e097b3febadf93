// The model's input contract: the five vital signs, their units and the physiological
// range a request may carry. Training, validation, the model card and the OpenAPI
// document all read this one table so they cannot drift apart.

export const FEATURE_NAMES = [
  'heartRate',
  'systolicBP',
  'diastolicBP',
  'temperature',
  'oxygenSaturation',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** One patient's vital signs, keyed by feature name. */
export type Vitals = Record<FeatureName, number>;

/**
 * A typical patient: the server predicts it before turning Ready, and the operator's canary
 * analysis posts it to every canary pod. One constant, so both smoke checks agree.
 */
export const SMOKE_PATIENT: Readonly<Vitals> = { heartRate: 78, systolicBP: 122, diastolicBP: 79, temperature: 36.9, oxygenSaturation: 97 };

/**
 * A request carrying this header (any value) is a check, not traffic: it is answered as usual
 * but left out of the request metrics (http_requests_total, the duration histogram, the
 * in-flight gauge, predictions_total, /stats) and of the drift window. Lowercase, as Node
 * keys `req.headers`.
 */
export const SMOKE_HEADER = 'x-riskmodel-smoke';

export interface FeatureSpec {
  name: FeatureName;
  unit: string;
  min: number;
  max: number;
  description: string;
}

export const FEATURES: readonly FeatureSpec[] = [
  { name: 'heartRate', unit: 'bpm', min: 20, max: 250, description: 'Pulse rate' },
  { name: 'systolicBP', unit: 'mmHg', min: 50, max: 260, description: 'Systolic blood pressure' },
  { name: 'diastolicBP', unit: 'mmHg', min: 20, max: 160, description: 'Diastolic blood pressure; must be below systolic' },
  { name: 'temperature', unit: '°C', min: 30, max: 45, description: 'Core body temperature' },
  { name: 'oxygenSaturation', unit: '%', min: 50, max: 100, description: 'Peripheral oxygen saturation (SpO2)' },
];

export const CLASS_NAMES = ['Low', 'Medium', 'High'] as const;

export type RiskClass = (typeof CLASS_NAMES)[number];
