// Writes an Open Inference Protocol inference response as JSON bytes straight into one
// buffer, like the batch route: every row is scored once with the compiled model, then each
// requested output is written as its own tensor. Numbers have JSON_DECIMALS places.

import { JSON_DECIMALS, NonFiniteScore, NUMBER_WIDTH, writeFixed, type CompiledModel } from '../compiled-model.js';
import type { BufferPool } from '../http/buffer-pool.js';
import { FEATURE_NAMES, type Vitals } from '../schema.js';
import type { InferRequest, OutputName } from './request.js';

export interface Scores {
  rows: number;
  /** Index of the predicted class per row. */
  best: Uint8Array;
  /** rows × classes, row-major. */
  probabilities: Float64Array;
}

/** Scores every row of a validated request with the compiled model's own `score`. */
export function scoreMatrix(compiled: CompiledModel, request: InferRequest): Scores {
  const classes = compiled.model.classes.length;
  const width = FEATURE_NAMES.length;
  const { rows, matrix } = request;
  const best = new Uint8Array(rows);
  const probabilities = new Float64Array(rows * classes);
  // One reused object: score() reads the five fields, so a tensor row needs no new object.
  const vitals: Vitals = { heartRate: 0, systolicBP: 0, diastolicBP: 0, temperature: 0, oxygenSaturation: 0 };
  for (let r = 0; r < rows; r++) {
    const at = r * width;
    vitals.heartRate = matrix[at] as number;
    vitals.systolicBP = matrix[at + 1] as number;
    vitals.diastolicBP = matrix[at + 2] as number;
    vitals.temperature = matrix[at + 3] as number;
    vitals.oxygenSaturation = matrix[at + 4] as number;
    const scored = compiled.score(vitals);
    best[r] = scored.best;
    probabilities.set(scored.probabilities, r * classes);
  }
  return { rows, best, probabilities };
}

export interface ResponseHead {
  modelName: string;
  modelVersion: string;
  classes: readonly string[];
}

// "00".."99" as byte pairs: four table copies write a number's eight decimals.
const PAIRS = Buffer.from(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''), 'latin1');
const SCALE = 10 ** JSON_DECIMALS;

/**
 * Writes each value (a probability, in [0, 1]) as NUMBER_WIDTH bytes " 0.dddddddd", the
 * same bytes compiled-model's writeFixed writes, comma-separated.
 */
function writeFixedList(values: Float64Array, count: number, out: Buffer, at: number): number {
  let p = at;
  for (let i = 0; i < count; i++) {
    if (i > 0) out[p++] = 0x2c;
    const x = values[i] as number;
    if (!(x >= 0 && x <= 1)) {
      // Outside [0, 1] only from a broken model file: still valid, fixed-width JSON if finite.
      if (!Number.isFinite(x)) throw new NonFiniteScore();
      writeFixed(Math.max(-1, Math.min(1, x || 0)), out, p);
      out[p + 2] = 0x2e;
      p += NUMBER_WIDTH;
      continue;
    }
    let n = Math.round(x * SCALE) | 0;
    out[p] = 0x20;
    out[p + 1] = n === SCALE ? 0x31 : 0x30;
    out[p + 2] = 0x2e;
    if (n === SCALE) n = 0;
    for (let d = p + NUMBER_WIDTH - 2; d > p + 2; d -= 2) {
      const q = (n / 100) | 0;
      const pair = (n - q * 100) * 2;
      out[d] = PAIRS[pair] as number;
      out[d + 1] = PAIRS[pair + 1] as number;
      n = q;
    }
    p += NUMBER_WIDTH;
  }
  return p;
}

interface Written {
  head: ResponseHead;
  scores: Scores;
  /** Each class name as JSON string bytes. */
  classNames: Buffer[];
}

function writeOutput(name: OutputName, { head, scores, classNames }: Written, out: Buffer, at: number): number {
  const { rows, best, probabilities } = scores;
  const k = head.classes.length;
  let p = at;
  if (name === 'risk') {
    p += out.write(`{"name":"risk","datatype":"BYTES","shape":[${rows}],"data":[`, p, 'latin1');
    for (let r = 0; r < rows; r++) {
      if (r > 0) out[p++] = 0x2c;
      p += (classNames[best[r] as number] as Buffer).copy(out, p);
    }
  } else if (name === 'confidence') {
    p += out.write(`{"name":"confidence","datatype":"FP64","shape":[${rows}],"data":[`, p, 'latin1');
    const confidence = new Float64Array(rows);
    for (let r = 0; r < rows; r++) confidence[r] = probabilities[r * k + (best[r] as number)] as number;
    p = writeFixedList(confidence, rows, out, p);
  } else {
    const classes = JSON.stringify(head.classes.join(','));
    p += out.write(`{"name":"probabilities","datatype":"FP64","shape":[${rows},${k}],"parameters":{"classes":${classes}},"data":[`, p, 'utf8');
    p = writeFixedList(probabilities, rows * k, out, p);
  }
  p += out.write(']}', p, 'latin1');
  return p;
}

/** Upper bound on the bytes of a response for `rows` rows. */
export function responseBytes(head: ResponseHead, rows: number, id: string | undefined): number {
  const longestClass = Math.max(...head.classes.map((c) => Buffer.byteLength(JSON.stringify(c))));
  const fixed = 512 + Buffer.byteLength(JSON.stringify(head)) * 2 + (id === undefined ? 0 : Buffer.byteLength(JSON.stringify(id)));
  return fixed + rows * (longestClass + 1 + (1 + head.classes.length) * (NUMBER_WIDTH + 1));
}

/** A writer bound to one model: (request, scores) → the response JSON bytes; throws NonFiniteScore for a NaN or ±∞ score. */
export function responseWriter(head: ResponseHead): (request: InferRequest, scores: Scores, pool?: BufferPool) => Buffer {
  const classNames = head.classes.map((c) => Buffer.from(JSON.stringify(c)));
  const opening = `{"model_name":${JSON.stringify(head.modelName)},"model_version":${JSON.stringify(head.modelVersion)}`;
  return (request, scores, pool) => {
    const size = responseBytes(head, scores.rows, request.id);
    const out = pool ? pool.take(size) : Buffer.allocUnsafe(size);
    let p = out.write(opening, 0, 'utf8');
    if (request.id !== undefined) p += out.write(`,"id":${JSON.stringify(request.id)}`, p, 'utf8');
    p += out.write(',"outputs":[', p, 'latin1');
    request.outputs.forEach((name, i) => {
      if (i > 0) out[p++] = 0x2c;
      p = writeOutput(name, { head, scores, classNames }, out, p);
    });
    p += out.write(']}', p, 'latin1');
    return out.subarray(0, p);
  };
}
