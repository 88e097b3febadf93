import { expect } from 'chai';
import { patientSource } from '../../inference/generator.js';
import type { Vitals } from '../../inference/schema.js';
import { requestBody } from './vitals.js';

describe('requestBody', () => {
  it('is one patient for /predict', () => {
    expect(Object.keys(JSON.parse(requestBody(patientSource(1), undefined)) as object))
      .to.have.members(['heartRate', 'systolicBP', 'diastolicBP', 'temperature', 'oxygenSaturation']);
  });

  it('is {instances} of the batch size for /predict/batch, each a different patient', () => {
    const body = JSON.parse(requestBody(patientSource(1), 25)) as { instances: Vitals[] };
    expect(body.instances).to.have.length(25);
    expect(new Set(body.instances.map((vitals) => JSON.stringify(vitals))).size).to.be.above(20);
  });
});
