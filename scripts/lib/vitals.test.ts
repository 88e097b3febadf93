import { expect } from 'chai';
import { earlyWarningRisk } from '../../inference/early-warning.js';
import { FEATURES, type Vitals } from '../../inference/schema.js';
import { requestBody, vitalsSource } from './vitals.js';

const draw = (seed: number, count: number): Vitals[] => Array.from({ length: count }, vitalsSource(seed));

describe('vitalsSource', () => {
  const patients = draw(7, 10_000);

  it('keeps every vital inside the range the inference server accepts', () => {
    const outside = patients.flatMap((vitals) => FEATURES
      .filter((feature) => !(vitals[feature.name] >= feature.min && vitals[feature.name] <= feature.max))
      .map((feature) => `${feature.name}=${vitals[feature.name]}`));
    expect(outside).to.deep.equal([]);
  });

  it('reports vitals as a monitor does, with diastolic below systolic', () => {
    const odd = patients.filter((vitals) => !(vitals.diastolicBP < vitals.systolicBP
      && Number.isInteger(vitals.heartRate) && Number.isInteger(vitals.systolicBP)
      && Number.isInteger(vitals.diastolicBP) && Number.isInteger(vitals.oxygenSaturation)
      && Math.round(vitals.temperature * 10) / 10 === vitals.temperature));
    expect(odd).to.deep.equal([]);
  });

  it('mixes patients so every risk class is exercised, mostly low risk', () => {
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
});

describe('requestBody', () => {
  it('is one patient for /predict', () => {
    expect(Object.keys(JSON.parse(requestBody(vitalsSource(1), undefined)) as object))
      .to.have.members(['heartRate', 'systolicBP', 'diastolicBP', 'temperature', 'oxygenSaturation']);
  });

  it('is {instances} of the batch size for /predict/batch, each a different patient', () => {
    const body = JSON.parse(requestBody(vitalsSource(1), 25)) as { instances: Vitals[] };
    expect(body.instances).to.have.length(25);
    expect(new Set(body.instances.map((vitals) => JSON.stringify(vitals))).size).to.be.above(20);
  });
});
