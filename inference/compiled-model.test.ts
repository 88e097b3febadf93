import { expect } from 'chai';
import { asServed, compileModel, JSON_DECIMALS, NonFiniteScore, servedPrediction, type Scored } from './compiled-model.js';
import { defaultModel } from './default-model.js';
import { loadModelFile } from './model.js';
import { fileURLToPath } from 'node:url';
import { predict } from './predict.js';
import { mulberry32 } from './random.js';
import { FEATURES, type Vitals } from './schema.js';
import { validateVitals, vitalsGate } from './validation.js';

/** Vitals spread over, and a little beyond, the allowed ranges. */
function randomRows(count: number, seed: number): Record<string, unknown>[] {
  const uniform = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const row: Record<string, unknown> = {};
    for (const f of FEATURES) row[f.name] = Math.round((f.min - 5 + uniform() * (f.max - f.min + 10)) * 10) / 10;
    return row;
  });
}

describe('compiled model', () => {
  const model = defaultModel();
  const compiled = compileModel(model);

  it('scores a format-v1 raw-feature artifact bit for bit as the reference does', () => {
    const v1 = loadModelFile(fileURLToPath(new URL('./testdata/model-v1-raw-features.json', import.meta.url)));
    const old = compileModel(v1);
    const rows = randomRows(2000, 2).filter((r) => validateVitals(v1.features, r).ok) as Vitals[];
    for (const vitals of rows) expect(old.toPrediction(old.score(vitals))).to.deep.equal(predict(v1, vitals));
  });

  const validRows = (): Vitals[] => randomRows(5000, 1).filter((r) => validateVitals(model.features, r).ok) as Vitals[];

  it('predicts bit for bit what the reference predict() does', () => {
    const rows = validRows();
    expect(rows.length).to.be.above(1000);
    for (const vitals of rows) expect(compiled.toPrediction(compiled.score(vitals))).to.deep.equal(predict(model, vitals));
  });

  it('writes JSON that parses to the reference prediction rounded to 8 decimals', () => {
    for (const vitals of validRows()) {
      const json = compiled.toJson(compiled.score(vitals));
      expect(JSON.parse(json)).to.deep.equal(servedPrediction(predict(model, vitals)));
      expect(Buffer.byteLength(json)).to.be.at.most(compiled.maxJsonBytes);
    }
  });

  it('serves probabilities within 5e-9 of the computed ones that still sum to 1 within 2e-8', () => {
    for (const vitals of validRows()) {
      const reference = predict(model, vitals);
      const served = JSON.parse(compiled.toJson(compiled.score(vitals))) as typeof reference;
      const probabilities = Object.values(served.probabilities);
      for (const [name, p] of Object.entries(served.probabilities)) expect(Math.abs(p - (reference.probabilities[name] as number))).to.be.at.most(5e-9 + 1e-15);
      expect(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1)).to.be.at.most(2e-8);
      expect(served.confidence).to.equal(served.probabilities[served.risk]);
    }
  });

  it('writes each number with a fixed 8 decimals, 1 and -0 included', () => {
    expect(JSON_DECIMALS).to.equal(8);
    const scored: Scored = { best: 2, probabilities: Float64Array.from([0, 1e-10, 1]), contributions: Float64Array.from([-1, -1e-12, 0.5, 0.123456786, -0.25]) };
    const json = compiled.toJson(scored);
    expect(json).to.contain('"confidence": 1.00000000,');
    expect(json).to.contain('"Low": 0.00000000,"Medium": 0.00000000,"High": 1.00000000}');
    expect(json).to.contain('"heartRate":-1.00000000,"systolicBP": 0.00000000,"diastolicBP": 0.50000000,"temperature": 0.12345679,"oxygenSaturation":-0.25000000}');
    expect(Object.is(asServed(-1e-12), 0)).to.be.true;
  });

  it('still writes valid JSON, in full, for a finite value outside [-1, 1] (only a broken model could produce one)', () => {
    const scored: Scored = { best: 0, probabilities: Float64Array.from([1.5, 0.5, 0.5]), contributions: Float64Array.from([2, 0, 0, 0, 0]) };
    const parsed = JSON.parse(compiled.toJson(scored)) as { confidence: unknown; contributions: { heartRate: number } };
    expect([parsed.confidence, parsed.contributions.heartRate]).to.deep.equal([1.5, 2]);
  });

  it('refuses to write a NaN or infinite number (it was written as null)', () => {
    for (const [p, w] of [[NaN, 0], [0.5, Infinity], [0.5, NaN]]) {
      const scored: Scored = { best: 0, probabilities: Float64Array.from([p as number, 0.25, 0.25]), contributions: Float64Array.from([w as number, 0, 0, 0, 0]) };
      expect(() => compiled.toJson(scored)).to.throw(NonFiniteScore, 'the model produced a non-finite score');
    }
  });

  it('writes non-ASCII class names as UTF-8', () => {
    const renamed = compileModel({ ...model, classes: ['Niedrig', 'Mäßig', 'Hoch'] });
    const out = Buffer.alloc(renamed.maxJsonBytes);
    const end = renamed.writeJson(renamed.score(validRows()[0] as Vitals), out, 0);
    expect(Object.keys((JSON.parse(out.toString('utf8', 0, end)) as { probabilities: object }).probabilities)).to.deep.equal(['Niedrig', 'Mäßig', 'Hoch']);
  });
});

describe('vitalsGate', () => {
  const gate = vitalsGate(FEATURES);

  it('accepts exactly the rows validateVitals accepts', () => {
    const rows: unknown[] = [
      ...randomRows(3000, 2),
      null,
      [],
      'x',
      { heartRate: '80', systolicBP: 120, diastolicBP: 80, temperature: 37, oxygenSaturation: 98 },
      { heartRate: NaN, systolicBP: 120, diastolicBP: 80, temperature: 37, oxygenSaturation: 98 },
      { heartRate: 80, systolicBP: 120, diastolicBP: 80, temperature: 37, oxygenSaturation: 98, extra: 1 },
      { heartRate: 80, systolicBP: 120, diastolicBP: 80, temperature: 37 },
      { heartRate: 80, systolicBP: 120, diastolicBP: 120, temperature: 37, oxygenSaturation: 98 },
    ];
    for (const row of rows) expect(gate(row), JSON.stringify(row)).to.equal(validateVitals(FEATURES, row).ok);
  });
});
