// The Open Inference Protocol routes in our OpenAPI document. Schemas follow the protocol's
// own document (kserve/open-inference-protocol, open_inference_rest.yaml) and add what is
// specific to this model: the input forms, feature ranges and output names.

import type { Limits } from '../config.js';
import type { Model } from '../model.js';
import { INPUT_DATATYPES, OUTPUT_NAMES } from './request.js';

type Schema = Record<string, unknown>;

const json = (schema: Schema) => ({ 'application/json': { schema } });
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const v2Error = (description: string) => ({ description, content: json(ref('v2_error')) });
const ok = (description: string, schema: string) => ({ description, content: json(ref(schema)) });

const stringArray = { type: 'array', items: { type: 'string' } };
const shape = { type: 'array', items: { type: 'integer' } };
const parameters = { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } };
const tensorData = { type: 'array', description: 'Row-major; flat, or nested to the shape.', items: {} };

/** Component schemas of the V2 routes. */
export function v2Schemas(model: Model, limits: Limits): Record<string, Schema> {
  const features = model.features.map((f) => `${f.name} (${f.unit}, ${f.min}–${f.max})`).join(', ');
  return {
    metadata_server_response: { type: 'object', required: ['name', 'version', 'extensions'], properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: stringArray } },
    metadata_tensor: { type: 'object', required: ['name', 'datatype', 'shape'], properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape, parameters } },
    metadata_model_response: {
      type: 'object',
      required: ['name', 'platform'],
      properties: {
        name: { type: 'string' },
        versions: stringArray,
        platform: { type: 'string' },
        inputs: { type: 'array', items: ref('metadata_tensor') },
        outputs: { type: 'array', items: ref('metadata_tensor') },
        parameters: {
          ...parameters,
          description: `Besides the input forms and datatypes, this pod's input drift (as GET /drift): input_drift ("available", or "unavailable: " and why), and when available input_drift_window_rows, input_drift_window_capacity, prediction_drift_psi and input_drift_psi_<feature> for ${model.features.map((f) => f.name).join(', ')} (−1 while the window is empty).`,
        },
      },
    },
    ready_model_response: { type: 'object', required: ['name', 'ready'], properties: { name: { type: 'string' }, ready: { type: 'boolean' } } },
    ready_server_response: { type: 'object', required: ['ready'], properties: { ready: { type: 'boolean' } } },
    live_server_response: { type: 'object', required: ['live'], properties: { live: { type: 'boolean' } } },
    request_input: {
      type: 'object',
      required: ['name', 'shape', 'datatype', 'data'],
      description: `Either one input of shape [N, ${model.features.length}] (any name; columns ${model.features.map((f) => f.name).join(', ')}), or one input per feature of shape [N] named after it. Ranges: ${features}; diastolicBP below systolicBP. N is 1 to ${limits.batchMaxInstances}.`,
      properties: { name: { type: 'string' }, shape, datatype: { type: 'string', enum: INPUT_DATATYPES }, parameters, data: tensorData },
    },
    request_output: { type: 'object', required: ['name'], properties: { name: { type: 'string', enum: [...OUTPUT_NAMES] }, parameters } },
    inference_request: {
      type: 'object',
      required: ['inputs'],
      properties: { id: { type: 'string' }, parameters, inputs: { type: 'array', minItems: 1, items: ref('request_input') }, outputs: { type: 'array', items: ref('request_output') } },
    },
    response_output: { type: 'object', required: ['name', 'shape', 'datatype', 'data'], properties: { name: { type: 'string' }, shape, datatype: { type: 'string' }, parameters, data: tensorData } },
    inference_response: {
      type: 'object',
      required: ['model_name', 'outputs'],
      properties: { model_name: { type: 'string' }, model_version: { type: 'string' }, id: { type: 'string' }, parameters, outputs: { type: 'array', items: ref('response_output') } },
    },
    v2_error: {
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'string', description: 'What is wrong, naming the input, row, feature and allowed range.' }, details: { type: 'array', items: { type: 'object' } } },
    },
  };
}

const common = { 404: v2Error('Unknown model or version, or no such route.'), 405: v2Error('Method not allowed; see the Allow header.') };
const get = (summary: string, responses: Record<string, unknown>) => ({ get: { summary, responses: { ...responses, ...common } } });
const pathParameters = (versioned: boolean) => [
  { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
  ...(versioned ? [{ name: 'version', in: 'path', required: true, schema: { type: 'string' } }] : []),
];

function infer(versioned: boolean, limits: Limits) {
  return {
    parameters: pathParameters(versioned),
    post: {
      summary: 'Inference (Open Inference Protocol).',
      requestBody: { required: true, content: json(ref('inference_request')) },
      responses: {
        200: ok('Outputs risk (BYTES [N]), confidence (FP64 [N]), probabilities (FP64 [N, classes]), or those requested.', 'inference_response'),
        400: v2Error('Malformed JSON or an invalid request; every problem listed.'),
        413: v2Error(`Body larger than ${limits.batchBodyBytes} bytes.`),
        415: v2Error('Content-Type is not application/json in UTF-8, or the body is encoded.'),
        ...common,
      },
    },
  };
}

/** The V2 paths, keyed as in the route table. */
export function v2Paths(limits: Limits): Record<string, unknown> {
  const modelReady = (versioned: boolean) => ({
    parameters: pathParameters(versioned),
    ...get('Model ready: loaded, smoke prediction passed, not shutting down.', { 200: ok('Ready.', 'ready_model_response'), 503: v2Error('Not ready, or shutting down.') }),
  });
  const metadata = (versioned: boolean) => ({ parameters: pathParameters(versioned), ...get('Model metadata: inputs, outputs, version.', { 200: ok('Metadata.', 'metadata_model_response') }) });
  return {
    '/v2': get('Server metadata.', { 200: ok('Server name, version and extensions.', 'metadata_server_response') }),
    '/v2/health/live': get('Server live.', { 200: ok('Alive.', 'live_server_response') }),
    '/v2/health/ready': get('Server ready (503 while shutting down).', { 200: ok('Ready.', 'ready_server_response'), 503: v2Error('Not ready, or shutting down.') }),
    '/v2/models/{name}': metadata(false),
    '/v2/models/{name}/versions/{version}': metadata(true),
    '/v2/models/{name}/ready': modelReady(false),
    '/v2/models/{name}/versions/{version}/ready': modelReady(true),
    '/v2/models/{name}/infer': infer(false, limits),
    '/v2/models/{name}/versions/{version}/infer': infer(true, limits),
  };
}
