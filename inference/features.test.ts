import { expect } from 'chai';
import { scoreVitals } from './early-warning.js';
import { bandPoints, checkTransform, earlyWarningTransform, featureNames, featureValues, RAW_TRANSFORM, vitalTerms, type FeatureTransform } from './features.js';
import { mulberry32 } from './random.js';
import { FEATURES, FEATURE_NAMES, type FeatureName, type Vitals } from './schema.js';

const normal: Vitals = { heartRate: 75, systolicBP: 125, diastolicBP: 80, temperature: 37, oxygenSaturation: 98 };

describe('feature transform', () => {
  const transform = earlyWarningTransform() as Extract<FeatureTransform, { kind: 'early-warning-points' }>;

  // Both sides of every band edge, as the labelling rule draws them (upper bounds inclusive).
  const edges: Array<[FeatureName, number, number]> = [
    ['heartRate', 20, 3], ['heartRate', 40, 3], ['heartRate', 40.5, 1], ['heartRate', 41, 1], ['heartRate', 50, 1], ['heartRate', 51, 0],
    ['heartRate', 90, 0], ['heartRate', 91, 1], ['heartRate', 110, 1], ['heartRate', 111, 2], ['heartRate', 130, 2], ['heartRate', 131, 3], ['heartRate', 250, 3],
    ['systolicBP', 90, 3], ['systolicBP', 91, 2], ['systolicBP', 100, 2], ['systolicBP', 101, 1], ['systolicBP', 110, 1], ['systolicBP', 111, 0],
    ['systolicBP', 219, 0], ['systolicBP', 220, 3], ['systolicBP', 260, 3],
    ['diastolicBP', 49, 1], ['diastolicBP', 50, 0], ['diastolicBP', 109, 0], ['diastolicBP', 110, 1],
    ['temperature', 34.5, 3], ['temperature', 35.0, 3], ['temperature', 35.1, 1], ['temperature', 36.0, 1], ['temperature', 36.1, 0],
    ['temperature', 38.0, 0], ['temperature', 38.1, 1], ['temperature', 39.0, 1], ['temperature', 39.1, 2], ['temperature', 45, 2],
    ['oxygenSaturation', 91, 3], ['oxygenSaturation', 92, 2], ['oxygenSaturation', 93, 2], ['oxygenSaturation', 94, 1], ['oxygenSaturation', 95, 1], ['oxygenSaturation', 96, 0],
  ];
  for (const [name, value, points] of edges) {
    it(`gives ${name} ${value} ${points} band points and derives the features from them`, () => {
      expect(bandPoints(transform.bands[name], value)).to.equal(points);
      const [score, scoring3] = featureValues(transform, { ...normal, [name]: value });
      expect(score).to.equal(points);
      expect(scoring3).to.equal(points >= 3 ? 1 : 0);
    });
  }

  it('agrees with the labelling rule on every vital of 2,000 random patients', () => {
    const uniform = mulberry32(9);
    for (let i = 0; i < 2000; i++) {
      const vitals = Object.fromEntries(FEATURES.map((f) => [f.name, Math.round((f.min + uniform() * (f.max - f.min)) * 10) / 10])) as Vitals;
      const rule = scoreVitals(vitals);
      const [points] = vitalTerms(transform, vitals);
      expect(points).to.deep.equal(FEATURE_NAMES.map((n) => rule[n]));
    }
  });

  it('sums the vitals: 3 + 2 + 1 + 1 + 3 points is a score of 10 with two vitals scoring 3', () => {
    const vitals = { heartRate: 35, systolicBP: 95, diastolicBP: 45, temperature: 38.5, oxygenSaturation: 90 };
    expect(featureNames(transform)).to.deep.equal(['earlyWarningScore', 'vitalsScoring3']);
    expect(vitalTerms(transform, vitals)).to.deep.equal([[3, 2, 1, 1, 3], [1, 0, 0, 0, 1]]);
    expect(featureValues(transform, vitals)).to.deep.equal([10, 2]);
  });

  it('passes the raw vitals through unchanged for the raw transform of v1 artifacts', () => {
    expect(featureNames(RAW_TRANSFORM)).to.deep.equal([...FEATURE_NAMES]);
    expect(featureValues(RAW_TRANSFORM, normal)).to.deep.equal([75, 125, 80, 37, 98]);
    expect(vitalTerms(RAW_TRANSFORM, normal)[1]).to.deep.equal([0, 125, 0, 0, 0]);
  });

  it('survives JSON: the open last band is written as null and read back the same', () => {
    const back = JSON.parse(JSON.stringify(transform)) as typeof transform;
    expect(back).to.deep.equal(transform);
    expect(back.bands.systolicBP.at(-1)).to.deep.equal([null, 3]);
    expect(checkTransform(back, [])).to.equal(2);
  });

  const broken: Array<[string, (t: Record<string, unknown>) => void, RegExp]> = [
    ['an unknown kind', (t) => (t.kind = 'splines'), /transform\.kind: expected "raw" or "early-warning-points"/],
    ['a vital without bands', (t) => delete (t.bands as Record<string, unknown>).temperature, /transform\.bands\.temperature: expected a list/],
    ['bands out of order', (t) => ((t.bands as Record<string, number[][]>).heartRate![1]![0] = 30), /transform\.bands\.heartRate\[1\]: expected \[an upper bound above the previous one/],
    ['a bounded last band', (t) => ((t.bands as Record<string, unknown[][]>).heartRate!.at(-1)![0] = 300), /transform\.bands\.heartRate\[5\]: expected \[null, points >= 0\]/],
    ['negative points', (t) => ((t.bands as Record<string, number[][]>).oxygenSaturation![0]![1] = -1), /transform\.bands\.oxygenSaturation\[0\]/],
    ['two derived features with one name', (t) => ((t.derived as Array<{ name: string }>)[1]!.name = 'earlyWarningScore'), /transform\.derived\[1\]\.name: expected a unique non-empty name/],
    ['an unknown term', (t) => ((t.derived as Array<{ term: string }>)[0]!.term = 'log'), /transform\.derived\[0\]\.term: expected "points" or "atLeast"/],
  ];
  for (const [name, breakIt, message] of broken) {
    it(`refuses ${name}, naming the field`, () => {
      const json = JSON.parse(JSON.stringify(transform)) as Record<string, unknown>;
      breakIt(json);
      const problems: string[] = [];
      expect(checkTransform(json, problems)).to.equal(0);
      expect(problems.join('; ')).to.match(message);
    });
  }
});
