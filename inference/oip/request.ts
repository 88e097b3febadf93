// An Open Inference Protocol (V2) inference request, checked and turned into a row-major
// matrix of vitals. Two input forms are accepted: one input of shape [N, 5] in the model's
// feature order, or one input per feature of shape [N] named as the JSON fields are. Every
// problem is reported at once, naming the input, the row and the feature with its range.

import { ProblemList, featureProblem, type Rejection } from '../validation.js';
import type { FeatureSpec } from '../schema.js';

/** Outputs the model produces, in response order. */
export const OUTPUT_NAMES = ['risk', 'confidence', 'probabilities'] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

const FLOAT_TYPES = new Set(['FP32', 'FP64']);
const INT_TYPES = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);
export const INPUT_DATATYPES = [...FLOAT_TYPES, ...INT_TYPES];

export interface InferRequest {
  id: string | undefined;
  rows: number;
  /** rows × features, row-major, every value validated. */
  matrix: Float64Array;
  outputs: readonly OutputName[];
}

export type Parsed = { ok: true; value: InferRequest } | Rejection;

interface Input {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);
const shortText = (s: string): string => JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);

/** Where a value goes: its column, and what to call it in an error. */
interface Column {
  feature: FeatureSpec;
  index: number;
  input: string;
  integer: boolean;
}

interface Target {
  matrix: Float64Array;
  width: number;
  problems: ProblemList;
}

const valueLabel = (column: Column, row: number): string => `${column.input}[${row}]${column.input === column.feature.name ? '' : `.${column.feature.name}`}`;

/** Stores a valid value; a bad one leaves NaN in the matrix and adds a problem naming it. */
function checkValue(target: Target, column: Column, row: number, value: unknown): void {
  const { feature } = column;
  if (typeof value === 'number' && value >= feature.min && value <= feature.max && (!column.integer || Number.isInteger(value))) {
    target.matrix[row * target.width + column.index] = value;
    return;
  }
  const problem = featureProblem(feature, value) ?? `must be an integer for an integer datatype, got ${String(value)}`;
  target.problems.add(valueLabel(column, row), problem);
}

const newTarget = (rows: number, width: number, problems: ProblemList): Target => ({ matrix: new Float64Array(rows * width).fill(NaN), width, problems });

/**
 * The elements of `data` for `shape`: flat (length = product of the shape) or nested to
 * the shape. Returns undefined (and a problem) when it is neither.
 */
function elements(data: unknown, shape: readonly number[], name: string, problems: ProblemList): unknown[] | undefined {
  const total = shape.reduce((a, b) => a * b, 1);
  if (!Array.isArray(data)) {
    problems.add(`${name}.data`, `must be an array of ${total} numbers, flat or nested as the shape [${shape.join(', ')}], got ${describe(data)}`);
    return undefined;
  }
  if (data.length === total && (total === 0 || !Array.isArray(data[0]))) return data as unknown[];
  const flat: unknown[] = [];
  const walk = (node: unknown, depth: number): boolean => {
    if (depth === shape.length) return !Array.isArray(node) && flat.push(node) > 0;
    return Array.isArray(node) && node.length === shape[depth] && node.every((child) => walk(child, depth + 1));
  };
  if (walk(data, 0)) return flat;
  problems.add(`${name}.data`, `must hold ${total} numbers, flat or nested as the shape [${shape.join(', ')}]`);
  return undefined;
}

function checkInput(raw: unknown, i: number, problems: ProblemList): Input | undefined {
  const at = `inputs[${i}]`;
  if (!isRecord(raw)) return void problems.add(at, `must be an object {name, shape, datatype, data}, got ${describe(raw)}`);
  const { name, shape, datatype } = raw;
  const before = problems.total;
  if (typeof name !== 'string') problems.add(`${at}.name`, `must be a string, got ${describe(name)}`);
  const label = typeof name === 'string' ? shortText(name).slice(1, -1) : at;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    problems.add(`${label}.shape`, 'must be an array of non-negative integers');
  }
  if (typeof datatype !== 'string' || !INPUT_DATATYPES.includes(datatype)) {
    problems.add(`${label}.datatype`, `must be one of ${INPUT_DATATYPES.join(', ')}, got ${typeof datatype === 'string' ? shortText(datatype) : describe(datatype)}`);
  }
  if (problems.total > before) return undefined;
  return { name: label, shape: shape as number[], datatype: datatype as string, data: raw.data };
}

function rowCount({ shape, name }: Input, expected: string, maxRows: number, problems: ProblemList): number | undefined {
  const rows = shape[0] ?? 0;
  if (rows < 1 || rows > maxRows) return void problems.add(`${name}.shape`, `must have 1 to ${maxRows} rows (${expected}), got [${shape.join(', ')}]`);
  return rows;
}

/** One input [N, features]: the matrix form. */
function fromMatrix(input: Input, features: readonly FeatureSpec[], maxRows: number, problems: ProblemList): Target | undefined {
  const width = features.length;
  const expected = `shape [N, ${width}], features in the order ${features.map((f) => f.name).join(', ')}`;
  if (input.shape.length !== 2 || input.shape[1] !== width) return void problems.add(`${input.name}.shape`, `must be ${expected}, got [${input.shape.join(', ')}]`);
  const rows = rowCount(input, expected, maxRows, problems);
  const values = rows === undefined ? undefined : elements(input.data, input.shape, input.name, problems);
  if (rows === undefined || values === undefined) return undefined;
  const target = newTarget(rows, width, problems);
  const integer = INT_TYPES.has(input.datatype);
  const columns = features.map((feature, index) => ({ feature, index, input: input.name, integer }));
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) checkValue(target, columns[j] as Column, r, values[r * width + j]);
  return target;
}

/** One input per feature, each [N] (or [N, 1]). */
function fromColumns(inputs: Input[], features: readonly FeatureSpec[], maxRows: number, problems: ProblemList): Target | undefined {
  const byName = new Map(inputs.map((input) => [input.name, input]));
  const names = features.map((f) => f.name);
  const seen = new Set<string>();
  for (const input of inputs) {
    if (!names.includes(input.name as FeatureSpec['name'])) problems.add(input.name, `is not an input of this model; send one input of shape [N, ${features.length}], or one input of shape [N] per feature: ${names.join(', ')}`);
    else if (seen.has(input.name)) problems.add(input.name, 'is given twice');
    seen.add(input.name);
  }
  const before = problems.total;
  for (const f of features) if (!byName.has(f.name)) problems.add(f.name, `is a required input: shape [N], numbers between ${f.min} and ${f.max} ${f.unit}`);
  if (problems.total > before || inputs.length !== features.length) return undefined;
  const first = inputs[0] as Input;
  const rows = rowCount(first, 'shape [N]', maxRows, problems);
  if (rows === undefined) return undefined;
  const target = newTarget(rows, features.length, problems);
  features.forEach((feature, index) => {
    const input = byName.get(feature.name) as Input;
    const shapeOk = (input.shape.length === 1 || (input.shape.length === 2 && input.shape[1] === 1)) && input.shape[0] === rows;
    if (!shapeOk) return problems.add(`${input.name}.shape`, `must be [${rows}] like ${first.name}, got [${input.shape.join(', ')}]`);
    const values = elements(input.data, input.shape, input.name, problems);
    const column: Column = { feature, index, input: input.name, integer: INT_TYPES.has(input.datatype) };
    if (values) for (let r = 0; r < rows; r++) checkValue(target, column, r, values[r]);
  });
  return target;
}

function checkPressureRows(target: Target, features: readonly FeatureSpec[], rowLabel: (r: number) => string): void {
  const sys = features.findIndex((f) => f.name === 'systolicBP');
  const dia = features.findIndex((f) => f.name === 'diastolicBP');
  if (sys < 0 || dia < 0) return;
  const { matrix, width } = target;
  for (let r = 0; r * width < matrix.length; r++) {
    const s = matrix[r * width + sys] as number;
    const d = matrix[r * width + dia] as number;
    // A NaN (a value already reported as bad) compares false.
    if (d >= s) target.problems.add(rowLabel(r), `must be below systolicBP (${s} mmHg), got ${d}`);
  }
}

function checkOutputs(raw: unknown, problems: ProblemList): OutputName[] {
  if (raw === undefined) return [...OUTPUT_NAMES];
  if (!Array.isArray(raw) || raw.length === 0) return problems.add('outputs', `must be a non-empty array of {name}, names among ${OUTPUT_NAMES.join(', ')}`), [];
  const chosen = new Set<OutputName>();
  raw.forEach((o: unknown, i) => {
    const name = isRecord(o) ? o.name : undefined;
    if (typeof name !== 'string' || !(OUTPUT_NAMES as readonly string[]).includes(name)) {
      problems.add(`outputs[${i}].name`, `must be one of ${OUTPUT_NAMES.join(', ')}, got ${typeof name === 'string' ? shortText(name) : describe(name)}`);
    } else if (chosen.has(name as OutputName)) problems.add(`outputs[${i}].name`, `names ${name} twice`);
    else chosen.add(name as OutputName);
  });
  return OUTPUT_NAMES.filter((n) => chosen.has(n));
}

function checkEnvelope(body: unknown, problems: ProblemList): { id: string | undefined; inputs: unknown[] } | undefined {
  if (!isRecord(body)) return void problems.add('body', `must be a JSON object {id?, parameters?, inputs, outputs?}, got ${describe(body)}`);
  for (const key of Object.keys(body)) {
    if (!['id', 'parameters', 'inputs', 'outputs'].includes(key)) problems.add(shortText(key).slice(1, -1), 'is not a field of an inference request; allowed: id, parameters, inputs, outputs');
  }
  if (body.id !== undefined && typeof body.id !== 'string') problems.add('id', `must be a string, got ${describe(body.id)}`);
  if (body.parameters !== undefined && !isRecord(body.parameters)) problems.add('parameters', `must be an object, got ${describe(body.parameters)}`);
  if (!Array.isArray(body.inputs) || body.inputs.length === 0) return void problems.add('inputs', `must be a non-empty array of input tensors, got ${describe(body.inputs)}`);
  return { id: body.id as string | undefined, inputs: body.inputs as unknown[] };
}

/**
 * Checks an inference request for a model with `features` and at most `maxRows` rows.
 * Pure. On success the matrix holds every row's vitals in feature order.
 */
export function parseInferRequest(body: unknown, features: readonly FeatureSpec[], maxRows: number): Parsed {
  const problems = new ProblemList();
  const envelope = checkEnvelope(body, problems);
  const outputs = checkOutputs(isRecord(body) ? body.outputs : undefined, problems);
  if (!envelope) return problems.rejection();
  const inputs = envelope.inputs.map((raw, i) => checkInput(raw, i, problems));
  if (inputs.some((input) => input === undefined)) return problems.rejection();
  const valid = inputs as Input[];
  const matrixForm = valid.length === 1 && (valid[0] as Input).shape.length === 2 && (valid[0] as Input).shape[1] !== 1;
  const target = matrixForm ? fromMatrix(valid[0] as Input, features, maxRows, problems) : fromColumns(valid, features, maxRows, problems);
  if (target) {
    const label = matrixForm ? (r: number) => `${(valid[0] as Input).name}[${r}].diastolicBP` : (r: number) => `diastolicBP[${r}]`;
    checkPressureRows(target, features, label);
  }
  if (!target || problems.total > 0) return problems.rejection();
  return { ok: true, value: { id: envelope.id, rows: target.matrix.length / features.length, matrix: target.matrix, outputs } };
}
