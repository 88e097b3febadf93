import { expect } from 'chai';
import { smokePrediction, startServer, type StartedServer } from './server.js';
import { infiniteScale } from '../test/support/faulty-artifacts.js';
import { parseModel } from './model.js';
import { SMOKE_PATIENT } from './schema.js';
import { modelArtifact } from '../operator/testing/fixtures.js';

const patient = { heartRate: 120, systolicBP: 95, diastolicBP: 60, temperature: 38.5, oxygenSaturation: 92 };

describe('smokePrediction', () => {
  it('refuses a model whose smoke patient gets finite probabilities but non-finite contributions (regression: such a pod turned Ready and answered 500 to every prediction)', () => {
    const derived = infiniteScale(modelArtifact(71), [SMOKE_PATIENT.heartRate, SMOKE_PATIENT.systolicBP]);
    expect(() => smokePrediction(parseModel(JSON.parse(derived) as unknown, 'test'))).to.throw(/smoke prediction failed/);
  });

  it('passes a trained model', () => {
    expect(() => smokePrediction(parseModel(JSON.parse(modelArtifact(71)) as unknown, 'test'))).to.not.throw();
  });
});

describe('startServer', () => {
  let server: StartedServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it('listens on a random loopback port and is ready at once', async () => {
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).to.equal(200);
  });

  it('answers a prediction with the model version it serves', async () => {
    const res = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patient) });
    const body = (await res.json()) as { risk: string; modelVersion: string };
    expect(res.status).to.equal(200);
    expect(body.modelVersion).to.equal(server.inference.serving.ctx.model.version);
  });

  it('stops accepting connections once closed', async () => {
    const other = await startServer();
    await other.close();
    let failed = false;
    await fetch(`${other.url}/healthz`).catch(() => (failed = true));
    expect(failed).to.be.true;
  });
});
