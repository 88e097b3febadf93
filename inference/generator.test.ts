import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { earlyWarningRisk } from './early-warning.js';
import { generatePatients } from './generator.js';
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
