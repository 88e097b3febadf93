import { expect } from 'chai';
import { earlyWarningRisk } from '../early-warning.js';
import { EXAMPLE_PATIENTS } from '../generator.js';
import { FEATURES, type Vitals } from '../schema.js';
import { startServer, type StartedServer } from '../server.js';

interface Examples {
  healthy: Vitals;
  critical: Vitals;
  patients: Vitals[];
}

describe('GET /examples (the web page\'s patients, from the server\'s generator)', () => {
  let server: StartedServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  const get = async (query: string) => {
    const res = await fetch(`${server.url}/examples${query}`);
    return { status: res.status, body: (await res.json()) as Examples & { error?: string; details?: { field: string; message: string }[] } };
  };

  it('serves the fixed healthy and critical examples, and no random patients unless asked', async () => {
    const { status, body } = await get('');
    expect(status).to.equal(200);
    expect(body).to.deep.equal({ ...EXAMPLE_PATIENTS, patients: [] });
  });

  it('serves `count` random patients that the server accepts: every vital in range, diastolic below systolic', async () => {
    const { body } = await get('?count=500');
    expect(body.patients).to.have.length(500);
    for (const patient of body.patients) {
      for (const { name, min, max } of FEATURES) expect(patient[name], name).to.be.within(min, max);
      expect(patient.diastolicBP).to.be.below(patient.systolicBP);
    }
    const predicted = await fetch(`${server.url}/predict/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: body.patients }) });
    expect(predicted.status).to.equal(200);
  });

  it('gives a load test every risk class', async () => {
    const { body } = await get('?count=1000&seed=3');
    const classes = new Set(body.patients.map(earlyWarningRisk));
    expect([...classes].sort()).to.deep.equal(['High', 'Low', 'Medium']);
  });

  it('gives the same patients for the same seed, and others without one', async () => {
    const [a, b, c] = await Promise.all([get('?count=20&seed=7'), get('?count=20&seed=7'), get('?count=20')]);
    expect(a.body.patients).to.deep.equal(b.body.patients);
    expect(c.body.patients).to.not.deep.equal(a.body.patients);
  });

  const bad: [string, string, RegExp][] = [
    ['a count above the limit', '?count=1001', /count.*from 0 to 1000, got "1001"/],
    ['a count that is not a whole number', '?count=2.5', /count.*whole number/],
    ['a negative seed', '?seed=-1', /seed.*from 0 to 4294967295/],
  ];
  for (const [what, query, message] of bad) {
    it(`refuses ${what} with 400 naming the parameter and its range`, async () => {
      const { status, body } = await get(query);
      expect(status).to.equal(400);
      const detail = body.details?.[0];
      expect(`${detail?.field} ${detail?.message}`).to.match(message);
    });
  }
});
