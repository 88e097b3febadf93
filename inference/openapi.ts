// The OpenAPI 3 description served at GET /openapi.json. Feature ranges and limits come
// from the model and configuration being served, so the document cannot go stale; a test
// checks that every route and status the app answers is described, and nothing more.

import { JSON_DECIMALS } from './compiled-model.js';
import { PSI_FLOOR } from './drift/psi.js';
import { DEFAULT_MODEL_NAME, type Limits } from './config.js';
import { v2Paths, v2Schemas } from './oip/openapi.js';
import type { Model } from './model.js';
import { MAX_EXAMPLE_PATIENTS } from './http/examples.js';
import { SMOKE_HEADER } from './schema.js';

type Schema = Record<string, unknown>;

const json = (schema: Schema) => ({ 'application/json': { schema } });
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, content: json(ref('Error')) });

function vitalsSchema(model: Model): Schema {
  const properties: Record<string, Schema> = {};
  for (const f of model.features) {
    properties[f.name] = { type: 'number', minimum: f.min, maximum: f.max, description: `${f.description} (${f.unit})` };
  }
  return { type: 'object', required: model.features.map((f) => f.name), additionalProperties: false, properties };
}

function predictionSchema(model: Model): Schema {
  const perClass = Object.fromEntries(model.classes.map((c) => [c, { type: 'number', minimum: 0, maximum: 1 }]));
  const perFeature = Object.fromEntries(model.features.map((f) => [f.name, { type: 'number', minimum: -1, maximum: 1 }]));
  return {
    type: 'object',
    required: ['risk', 'confidence', 'probabilities', 'contributions', 'modelVersion'],
    properties: {
      risk: { type: 'string', enum: model.classes },
      confidence: { type: 'number', minimum: 0, maximum: 1, description: `Probability of the predicted class. Like every number in a prediction, written with ${JSON_DECIMALS} decimal places (within 5e-9 of the computed value).` },
      probabilities: { type: 'object', properties: perClass, description: `Per class; sums to 1 (within 2e-8 after rounding to ${JSON_DECIMALS} decimals).` },
      contributions: {
        type: 'object',
        properties: perFeature,
        description: `Each feature's signed share of the score that placed the patient in the predicted class (for Low: not above Low; otherwise: at least this class); positive pushes towards it; absolute values sum to 1 (before rounding to ${JSON_DECIMALS} decimals).`,
      },
      modelVersion: { type: 'string' },
    },
  };
}

const fractions = (description: string): Schema => ({ type: 'array', items: { type: 'number', minimum: 0, maximum: 1 }, description });
const nullablePsi = (description: string): Schema => ({ type: 'number', minimum: 0, nullable: true, description });

/** GET /drift (and the model card's `drift`): see inference/drift/monitor.ts. */
function driftSchema(): Schema {
  const feature = {
    type: 'object',
    required: ['name', 'psi', 'edges', 'training', 'recent', 'trainingRange', 'outOfRange'],
    properties: {
      name: { type: 'string' },
      psi: nullablePsi('Population stability index of the window against the training rows; null while the window is empty.'),
      edges: { type: 'array', items: { type: 'number' }, description: 'Interior bin edges; bin i holds values with i edges at or below them.' },
      training: fractions('Training fraction per bin.'),
      recent: fractions('Window fraction per bin (all 0 while the window is empty).'),
      trainingRange: { type: 'object', properties: { min: { type: 'number' }, max: { type: 'number' } } },
      outOfRange: { type: 'integer', minimum: 0, description: "Rows in the window with this feature outside the training range." },
    },
  };
  return {
    type: 'object',
    required: ['available'],
    description: `Input drift of this pod: PSI per feature and of the predicted classes over the last scored rows (a count window), bin fractions floored at ${PSI_FLOOR} in the PSI. Reading: below 0.1 no significant shift, 0.1–0.25 moderate, above 0.25 significant. Unavailable (available false, with the reason) for an artifact without a drift reference or with DRIFT_WINDOW_ROWS=0.`,
    properties: {
      available: { type: 'boolean' },
      reason: { type: 'string', description: 'Why drift is not measured (only when available is false).' },
      window: { type: 'object', properties: { capacity: { type: 'integer' }, rows: { type: 'integer' } } },
      psiFloor: { type: 'number' },
      features: { type: 'array', items: feature },
      predictions: {
        type: 'object',
        properties: { classes: { type: 'array', items: { type: 'string' } }, psi: nullablePsi('PSI of the predicted classes; null while the window is empty.'), training: fractions('Class shares on the training rows.'), recent: fractions('Class shares in the window.') },
      },
    },
  };
}

function schemas(model: Model, limits: Limits): Record<string, Schema> {
  return {
    Drift: driftSchema(),
    Vitals: vitalsSchema(model),
    Prediction: predictionSchema(model),
    BatchRequest: {
      type: 'object',
      required: ['instances'],
      additionalProperties: false,
      properties: { instances: { type: 'array', minItems: 1, maxItems: limits.batchMaxInstances, items: ref('Vitals') } },
    },
    BatchResponse: { type: 'object', required: ['predictions'], properties: { predictions: { type: 'array', items: ref('Prediction') } } },
    Error: {
      type: 'object',
      required: ['error', 'details'],
      properties: {
        error: { type: 'string' },
        details: {
          type: 'array',
          description: 'Every problem at once; batch rows are named instances[i].field.',
          items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  };
}

const common = {
  404: error('No such route.'),
  405: error('Method not allowed on this route; see the Allow header.'),
};

function predictOperation(summary: string, request: string, response: string, bodyLimit: number) {
  return {
    post: {
      summary,
      requestBody: { required: true, content: json(ref(request)) },
      responses: {
        200: { description: 'Prediction.', content: json(ref(response)) },
        400: error('Malformed JSON, or invalid fields (every problem listed with its allowed range).'),
        413: error(`Body larger than ${bodyLimit} bytes.`),
        415: error('Content-Type is not application/json.'),
        ...common,
      },
    },
  };
}

function getOperation(summary: string, responses: Record<string, unknown>) {
  return { get: { summary, responses: { ...responses, ...common } } };
}

const okJson = (description: string, schema: Schema = { type: 'object' }) => ({ description, content: json(schema) });

function examplesOperation() {
  const integer = (maximum: number, description: string): Schema => ({ type: 'integer', minimum: 0, maximum, description });
  const examples = { type: 'object', required: ['healthy', 'critical', 'patients'], properties: { healthy: ref('Vitals'), critical: ref('Vitals'), patients: { type: 'array', items: ref('Vitals') } } };
  return {
    get: {
      summary: "Example patients from the server's generator: a healthy and a critical one, and `count` random ward patients (the web page's load test).",
      parameters: [
        { name: 'count', in: 'query', required: false, schema: integer(MAX_EXAMPLE_PATIENTS, 'Random patients to include (default 0).') },
        { name: 'seed', in: 'query', required: false, schema: integer(2 ** 32 - 1, 'Same seed, same patients; random when absent.') },
      ],
      responses: { 200: okJson('Examples.', examples), 400: error('`count` or `seed` is not a whole number in its range.'), ...common },
    },
  };
}

/** The OpenAPI 3.0 document for a server of `model` under `modelName` with `limits`. Pure. */
export function buildOpenApi(model: Model, limits: Limits, modelName = DEFAULT_MODEL_NAME): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'RiskModel inference API',
      version: model.version,
      description: `Patient deterioration risk (Low/Medium/High) from five vital signs, with probabilities and per-feature contributions. Also the Open Inference Protocol (V2) REST routes, serving the model as "${modelName}". A request carrying the header \`${SMOKE_HEADER}\` (any value) is answered as usual but counted in no metric and not in input drift: for health checks that must not look like traffic.`,
    },
    paths: {
      '/': getOperation('The web page: prediction form, load test, live status.', { 200: { description: 'HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } }),
      '/predict': predictOperation('Risk for one patient.', 'Vitals', 'Prediction', limits.predictBodyBytes),
      '/predict/batch': predictOperation(`Risk for up to ${limits.batchMaxInstances} patients, in order.`, 'BatchRequest', 'BatchResponse', limits.batchBodyBytes),
      '/healthz': getOperation('Liveness: the process answers.', { 200: okJson('Alive.') }),
      '/readyz': getOperation('Readiness: model loaded, smoke prediction passed, not shutting down.', { 200: okJson('Ready.'), 503: error('Not ready, or shutting down.') }),
      '/stats': getOperation('Live status for the web page.', {
        200: okJson('Status.', {
          type: 'object',
          required: ['healthy', 'ready', 'modelVersion', 'uptimeSeconds', 'requestsServed', 'latencyMs'],
          properties: {
            healthy: { type: 'boolean' },
            ready: { type: 'boolean' },
            modelVersion: { type: 'string' },
            uptimeSeconds: { type: 'number' },
            requestsServed: { type: 'integer', description: 'Requests answered since start, all routes.' },
            latencyMs: { type: 'object', description: 'Over the last 2048 prediction requests.', properties: { p50: { type: 'number' }, p99: { type: 'number' } } },
          },
        }),
      }),
      '/metrics': getOperation('Prometheus metrics.', { 200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } } }),
      '/model': getOperation("The model card: version, features with units and ranges, classes, metrics, training parameters, and this pod's input drift (`drift`, as GET /drift).", { 200: okJson('Model card.') }),
      '/drift': getOperation("This pod's input drift: per feature the training and recent histograms and their PSI, the predicted classes' shift, rows outside the training range.", { 200: okJson('Drift report.', ref('Drift')) }),
      '/examples': examplesOperation(),
      '/openapi.json': getOperation('This document.', { 200: okJson('OpenAPI 3 document.') }),
      ...v2Paths(limits),
    },
    components: { schemas: { ...schemas(model, limits), ...v2Schemas(model, limits) } },
  };
}
