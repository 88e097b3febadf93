import { expect } from 'chai';
import { FEATURES } from '../schema.js';
import { parseInferRequest } from './request.js';

const row = [120, 95, 60, 38.5, 92];
const matrix = (data: unknown, shape = [1, 5], datatype = 'FP64') => ({ inputs: [{ name: 'x', shape, datatype, data }] });
const columns = (shape = [1]) => ({ inputs: FEATURES.map((f, j) => ({ name: f.name, shape, datatype: 'FP64', data: shape.length === 2 ? [[row[j]]] : [row[j]] })) });
const fields = (body: unknown): string[] => {
  const parsed = parseInferRequest(body, FEATURES, 10);
  return parsed.ok ? [] : parsed.details.map((d) => d.field);
};

describe('parseInferRequest', () => {
  it('reads an [N, 5] input, flat or nested, into the same row-major matrix', () => {
    const flat = parseInferRequest(matrix([...row, ...row], [2, 5]), FEATURES, 10);
    const nested = parseInferRequest(matrix([row, row], [2, 5]), FEATURES, 10);
    expect(flat).to.deep.equal(nested);
    expect(flat.ok && [...flat.value.matrix]).to.deep.equal([...row, ...row]);
    expect(flat.ok && flat.value.outputs).to.deep.equal(['risk', 'confidence', 'probabilities']);
  });

  it('reads per-feature inputs of shape [N] or [N, 1] in any order', () => {
    const reversed = { inputs: [...columns().inputs].reverse() };
    for (const body of [columns(), columns([1, 1]), reversed]) {
      const parsed = parseInferRequest(body, FEATURES, 10);
      expect(parsed.ok && [...parsed.value.matrix]).to.deep.equal(row);
    }
  });

  it('keeps the id and the requested outputs in model order', () => {
    const parsed = parseInferRequest({ id: 'a', ...matrix(row), outputs: [{ name: 'confidence' }, { name: 'risk' }] }, FEATURES, 10);
    expect(parsed.ok && [parsed.value.id, parsed.value.outputs]).to.deep.equal(['a', ['risk', 'confidence']]);
  });

  const bad: Array<[string, unknown, string[]]> = [
    ['a body that is not an object', [], ['body']],
    ['an unknown top-level field', { ...matrix(row), extra: 1 }, ['extra']],
    ['ragged nested data', matrix([row, [1, 2]], [2, 5]), ['x.data']],
    ['a negative dimension', matrix(row, [-1, 5]), ['x.shape']],
    ['a per-feature input given twice', { inputs: [...columns().inputs, columns().inputs[0]] }, ['heartRate']],
    ['per-feature inputs of different lengths', { inputs: columns().inputs.map((i, j) => (j === 2 ? { ...i, shape: [2], data: [60, 61] } : i)) }, ['diastolicBP.shape']],
    ['a fractional value in an integer datatype', matrix(row, [1, 5], 'UINT8'), ['x[0].temperature']],
    ['diastolic at or above systolic next to another problem', matrix([500, 95, 95, 38.5, 92]), ['x[0].heartRate', 'x[0].diastolicBP']],
    ['a duplicated output', { ...matrix(row), outputs: [{ name: 'risk' }, { name: 'risk' }] }, ['outputs[1].name']],
  ];
  for (const [what, body, expected] of bad) it(`rejects ${what}, naming ${expected.join(' and ')}`, () => expect(fields(body)).to.deep.equal(expected));

  it('lists 100 problems of a 1,000-row input of strings and counts all 5,000', () => {
    const parsed = parseInferRequest(matrix(Array.from({ length: 1000 }, () => row.map(String)), [1000, 5]), FEATURES, 1000);
    expect(parsed.ok).to.be.false;
    if (!parsed.ok) expect([parsed.details.length, parsed.total]).to.deep.equal([100, 5000]);
  });
});
