import { expect } from 'chai';
import { earlyWarningRisk } from '../early-warning.js';
import { mulberry32 } from '../random.js';
import { FEATURES } from '../schema.js';
import { EXAMPLES, randomVitals } from './static/js/vitals.js';

describe('example and random patients (web page)', () => {
  const patients = Array.from({ length: 2000 }, ((random) => () => randomVitals(FEATURES, random))(mulberry32(7)));

  it('keeps every random patient inside the allowed range of each vital', () => {
    for (const patient of patients) {
      for (const { name, min, max } of FEATURES) {
        expect(patient[name], name).to.be.within(min, max);
      }
    }
  });

  it('keeps diastolic pressure at least 10 mmHg below systolic', () => {
    for (const patient of patients) expect(patient.systolicBP - patient.diastolicBP).to.be.at.least(10);
  });

  it('gives every risk class to the load test, mostly stable patients', () => {
    const counts: Record<string, number> = { Low: 0, Medium: 0, High: 0 };
    for (const patient of patients) counts[earlyWarningRisk(patient)] = (counts[earlyWarningRisk(patient)] ?? 0) + 1;
    expect(counts.Low).to.be.above(patients.length * 0.4);
    expect(counts.Medium).to.be.above(patients.length * 0.05);
    expect(counts.High).to.be.above(patients.length * 0.03);
  });

  it('rounds temperature to 0.1 °C and the other vitals to whole numbers', () => {
    for (const patient of patients.slice(0, 200)) {
      expect(Math.round(patient.temperature * 10) / 10).to.equal(patient.temperature);
      expect(Number.isInteger(patient.heartRate) && Number.isInteger(patient.oxygenSaturation)).to.be.true;
    }
  });

  it('generates the same patients from the same random source', () => {
    const again = Array.from({ length: 50 }, ((random) => () => randomVitals(FEATURES, random))(mulberry32(7)));
    expect(again).to.deep.equal(patients.slice(0, 50));
  });

  it('labels the healthy example Low and the critical example High under the early-warning rule', () => {
    expect(earlyWarningRisk(EXAMPLES.healthy)).to.equal('Low');
    expect(earlyWarningRisk(EXAMPLES.critical)).to.equal('High');
  });
});
