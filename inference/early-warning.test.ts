import { expect } from 'chai';
import { earlyWarningRisk, scoreVitals } from './early-warning.js';
import type { Vitals } from './schema.js';

const normal: Vitals = { heartRate: 75, systolicBP: 125, diastolicBP: 80, temperature: 37, oxygenSaturation: 98 };

describe('early-warning rule', () => {
  const bandCases: Array<[string, Partial<Vitals>, Partial<Record<keyof Vitals, number>>]> = [
    ['scores a normal patient 0 everywhere', {}, { heartRate: 0, systolicBP: 0, diastolicBP: 0, temperature: 0, oxygenSaturation: 0 }],
    ['scores pulse 40 as 3 and 41 as 1', { heartRate: 40 }, { heartRate: 3 }],
    ['scores pulse 91 as 1, 111 as 2, 131 as 3', { heartRate: 131 }, { heartRate: 3 }],
    ['scores systolic 90 as 3 and 220 as 3', { systolicBP: 220 }, { systolicBP: 3 }],
    ['scores systolic 101 as 1', { systolicBP: 101 }, { systolicBP: 1 }],
    ['scores temperature 35.0 as 3 and 39.1 as 2', { temperature: 39.1 }, { temperature: 2 }],
    ['scores SpO2 93 as 2 and 95 as 1', { oxygenSaturation: 93 }, { oxygenSaturation: 2 }],
    ['scores diastolic below 50 as 1', { diastolicBP: 45 }, { diastolicBP: 1 }],
  ];
  for (const [name, change, expected] of bandCases) {
    it(name, () => {
      expect(scoreVitals({ ...normal, ...change })).to.include(expected);
    });
  }

  const riskCases: Array<[string, Partial<Vitals>, string]> = [
    ['calls an all-normal patient Low', {}, 'Low'],
    ['calls an aggregate of 4 Low', { heartRate: 100, systolicBP: 105, temperature: 38.5, oxygenSaturation: 95 }, 'Low'],
    ['calls a single red score (SpO2 90) Medium', { oxygenSaturation: 90 }, 'Medium'],
    ['calls an aggregate of 5 Medium', { heartRate: 120, systolicBP: 95, temperature: 38.5 }, 'Medium'],
    ['calls an aggregate of 7 High', { heartRate: 135, systolicBP: 95, oxygenSaturation: 93 }, 'High'],
  ];
  for (const [name, change, expected] of riskCases) {
    it(name, () => {
      expect(earlyWarningRisk({ ...normal, ...change })).to.equal(expected);
    });
  }
});
