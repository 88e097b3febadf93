import { expect } from 'chai';
import type { Vitals } from '../schema.js';
import { checkReference, fitReference } from './reference.js';

const row = (i: number): Vitals => ({ heartRate: 60 + i, systolicBP: 120, diastolicBP: 70 + (i % 2), temperature: 37, oxygenSaturation: 90 + (i % 5) });

describe('drift reference', () => {
  const rows = Array.from({ length: 20 }, (_, i) => row(i));
  const reference = fitReference(rows, rows.map((_, i) => (i < 15 ? 0 : 2)), 3);

  it('cuts a feature of distinct values into ten bins of a tenth each', () => {
    const heartRate = reference.features[0];
    expect(heartRate).to.deep.include({ name: 'heartRate', min: 60, max: 79, edges: [62, 64, 66, 68, 70, 72, 74, 76, 78] });
    expect(heartRate?.fractions).to.deep.equal(new Array(10).fill(0.1));
  });

  it('gives a constant feature one bin holding every row', () => {
    expect(reference.features[1]).to.deep.include({ name: 'systolicBP', edges: [], fractions: [1] });
  });

  it('gives a feature with two values two bins', () => {
    expect(reference.features[2]).to.deep.include({ edges: [71], fractions: [0.5, 0.5] });
  });

  it('records the share of each predicted class, including classes never predicted', () => {
    expect(reference.classFractions).to.deep.equal([0.75, 0, 0.25]);
    expect(reference.rows).to.equal(20);
  });

  it('passes its own check', () => {
    const problems: string[] = [];
    checkReference(JSON.parse(JSON.stringify(reference)), 3, problems);
    expect(problems).to.deep.equal([]);
  });

  it('refuses to fit no rows', () => {
    expect(() => fitReference([], [], 3)).to.throw(/no training rows/);
  });

  it('lists every bad field of a reference at once', () => {
    const problems: string[] = [];
    checkReference({ rows: 1.5, bins: 0, features: [], classFractions: [0.5, 0.6, 0] }, 3, problems);
    expect(problems).to.deep.equal([
      'reference.rows: expected a whole number ≥ 1',
      'reference.bins: expected a whole number from 1 to 100',
      'reference.features: expected 5 entries (heartRate, systolicBP, diastolicBP, temperature, oxygenSaturation)',
      'reference.classFractions: fractions must sum to 1',
    ]);
  });
});
