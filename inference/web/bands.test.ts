import { expect } from 'chai';
import { bandPoints as serverPoints, earlyWarningTransform, RAW_TRANSFORM, type FeatureTransform } from '../features.js';
import { FEATURES } from '../schema.js';
import { bandPoints, pointsText } from './static/js/bands.js';

describe('band points on the web page', () => {
  // As the page receives it: the transform through JSON, open last bands as null.
  const transform = JSON.parse(JSON.stringify(earlyWarningTransform())) as Extract<FeatureTransform, { kind: 'early-warning-points' }>;

  it("gives every vital over its whole range, in 0.1 steps, the server's points", () => {
    for (const { name, min, max } of FEATURES) {
      for (let tenths = min * 10; tenths <= max * 10; tenths++) {
        const value = tenths / 10;
        expect(bandPoints(transform, name, value), `${name} ${value}`).to.equal(serverPoints(transform.bands[name], value));
      }
    }
  });

  it('has nothing to say for a raw-feature model, an unknown vital or a missing value', () => {
    expect(bandPoints(RAW_TRANSFORM, 'heartRate', 40)).to.equal(null);
    expect(bandPoints(undefined, 'heartRate', 40)).to.equal(null);
    expect(bandPoints(transform, 'respiratoryRate', 40)).to.equal(null);
    expect(bandPoints(transform, 'heartRate', NaN)).to.equal(null);
  });

  it('words the points', () => {
    expect([0, 1, 3, null].map(pointsText)).to.deep.equal(['0 band points', '1 band point', '3 band points', null]);
  });
});
