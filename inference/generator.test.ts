import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { earlyWarningRisk } from './early-warning.js';
import { EXAMPLE_PATIENTS, generatePatients, patientSource } from './generator.js';
import { FEATURES } from './schema.js';

describe('synthetic patient generator', () => {
  it('gives the same 1,000 records for seed 42 on every machine (pinned digest)', () => {
    const records = generatePatients({ samples: 1000, seed: 42 });
    const digest = createHash('sha256').update(JSON.stringify(records)).digest('hex');
    expect(digest).to.equal('6031466b697c148b1699235ebd63288238ac8ddb9b94ebe1a23902eb7950850c');
  });

  it('gives different data for a different seed', () => {
    const a = generatePatients({ samples: 20, seed: 1 });
    const b = generatePatients({ samples: 20, seed: 2 });
    expect(a).to.not.deep.equal(b);
  });

  it('keeps every vital inside the API range, diastolic below systolic', () => {
    for (const { vitals } of generatePatients({ samples: 5000, seed: 9 })) {
      for (const f of FEATURES) expect(vitals[f.name]).to.be.within(f.min, f.max);
      expect(vitals.diastolicBP).to.be.below(vitals.systolicBP);
    }
  });

  it('produces every class, mostly Low as on a ward', () => {
    const counts = { Low: 0, Medium: 0, High: 0 };
    for (const r of generatePatients({ samples: 1000, seed: 42 })) counts[r.label]++;
    expect(counts.Low).to.be.within(600, 800);
    expect(counts.Medium).to.be.within(100, 250);
    expect(counts.High).to.be.within(80, 200);
  });

  it('labels by the early-warning rule, flipping about the requested share to a neighbour', () => {
    const clean = generatePatients({ samples: 4000, seed: 5, labelNoise: 0 });
    expect(clean.every((r) => r.label === earlyWarningRisk(r.vitals))).to.be.true;
    const noisy = generatePatients({ samples: 4000, seed: 5, labelNoise: 0.2 });
    const flipped = noisy.filter((r) => r.label !== earlyWarningRisk(r.vitals));
    expect(flipped.length / noisy.length).to.be.closeTo(0.2, 0.03);
    const rank = (c: string) => ['Low', 'Medium', 'High'].indexOf(c);
    expect(flipped.every((r) => Math.abs(rank(r.label) - rank(earlyWarningRisk(r.vitals))) === 1)).to.be.true;
  });
});

describe('patients for load tests and examples (the same generator)', () => {
  const draw = (seed: number, count: number) => Array.from({ length: count }, patientSource(seed));
  const patients = draw(7, 10_000);

  it('keeps every vital inside the range the inference server accepts, diastolic below systolic', () => {
    const outside = patients.flatMap((v) => FEATURES.filter((f) => !(v[f.name] >= f.min && v[f.name] <= f.max)).map((f) => `${f.name}=${v[f.name]}`));
    expect(outside).to.deep.equal([]);
    expect(patients.filter((v) => v.diastolicBP >= v.systolicBP)).to.deep.equal([]);
  });

  it('reports vitals as a monitor does: whole numbers, temperature to 0.1 °C', () => {
    const odd = patients.filter((v) => !(Number.isInteger(v.heartRate) && Number.isInteger(v.systolicBP) && Number.isInteger(v.diastolicBP) && Number.isInteger(v.oxygenSaturation) && Math.round(v.temperature * 10) / 10 === v.temperature));
    expect(odd).to.deep.equal([]);
  });

  it('mixes patients so a load test exercises every risk class, mostly low risk', () => {
    const counts = { Low: 0, Medium: 0, High: 0 };
    for (const vitals of patients) counts[earlyWarningRisk(vitals)]++;
    expect(counts.Low / patients.length).to.be.within(0.5, 0.85);
    expect(counts.Medium / patients.length).to.be.above(0.05);
    expect(counts.High / patients.length).to.be.above(0.03);
  });

  it('gives the same patients for the same seed and different ones for another', () => {
    expect(draw(7, 20)).to.deep.equal(patients.slice(0, 20));
    expect(draw(8, 20)).not.to.deep.equal(patients.slice(0, 20));
  });

  it('has a healthy example the early-warning rule calls Low and a critical one it calls High', () => {
    expect(earlyWarningRisk(EXAMPLE_PATIENTS.healthy)).to.equal('Low');
    expect(earlyWarningRisk(EXAMPLE_PATIENTS.critical)).to.equal('High');
  });
});
