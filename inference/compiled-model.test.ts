import { expect } from 'chai';
import { compileModel } from './compiled-model.js';
import { defaultModel } from './default-model.js';
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

  it('predicts bit for bit what the reference predict() does, as object and as JSON', () => {
    const rows = randomRows(5000, 1).filter((r) => validateVitals(model.features, r).ok) as Vitals[];
    expect(rows.length).to.be.above(1000);
    for (const vitals of rows) {
      const reference = predict(model, vitals);
      const scored = compiled.score(vitals);
      expect(compiled.toPrediction(scored)).to.deep.equal(reference);
      expect(compiled.toJson(scored)).to.equal(JSON.stringify(reference));
      expect(Buffer.byteLength(compiled.toJson(scored))).to.be.at.most(compiled.maxJsonBytes);
    }
  });

  it('knows when its JSON is not ASCII', () => {
    expect(compiled.asciiJson).to.be.true;
    expect(compileModel({ ...model, classes: ['Niedrig', 'Mäßig', 'Hoch'] }).asciiJson).to.be.false;
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
