import { expect } from 'chai';
import { generatePatients } from '../generator.js';
import { train } from '../training.js';
import { summary } from './train-summary.js';

describe('train summary', function () {
  this.timeout(30_000);

  it('prints the model beside the raw-feature baseline and the rule, then the calibration and its reliability bins', () => {
    const result = train(generatePatients({ samples: 400, seed: 5 }), { seed: 5, labelNoise: 0.05 });
    const text = summary(result, { samples: 400, out: 'm.json' });
    const m = result.model.metrics;
    expect(text).to.contain(`this model                 accuracy ${(m.accuracy * 100).toFixed(1)}%`);
    expect(text).to.contain(`raw-feature baseline       accuracy ${((m.baseline?.accuracy ?? NaN) * 100).toFixed(1)}%`);
    expect(text).to.contain(`labelling rule (ceiling)   accuracy ${((m.ceiling?.accuracy ?? NaN) * 100).toFixed(1)}%`);
    expect(text).to.match(/calibration: temperature \d+\.\d{3}, floor \d\.\d{3}/);
    const bins = (m.reliability ?? []).filter((b) => b.count > 0).length;
    expect(text.match(/calls {2}mean confidence/g)).to.have.length(bins);
    expect(text).to.match(/model written to m\.json$/);
  });
});
