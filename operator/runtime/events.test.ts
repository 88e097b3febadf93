import { expect } from 'chai';
import type { Kube, RequestSpec, WatchStream } from '../kube/client.js';
import { ApiError } from '../errors.js';
import { EventRecorder } from './events.js';
import { memoryLogger } from '../testing/fakes.js';
import { riskModel } from '../testing/fixtures.js';

class EventApi implements Kube {
  requests: RequestSpec[] = [];
  failNext: ApiError | undefined;

  request<T>(spec: RequestSpec): Promise<T> {
    this.requests.push(spec);
    const err = this.failNext;
    this.failNext = undefined;
    return err ? Promise.reject(err) : Promise.resolve({} as T);
  }

  watch(): WatchStream {
    throw new Error('not used');
  }
}

describe('event recorder', () => {
  let now = 1_700_000_000_000;
  const setup = () => {
    const api = new EventApi();
    const { log, lines } = memoryLogger();
    return { api, lines, recorder: new EventRecorder(api, 'op-1', log, () => now) };
  };

  it('creates a core/v1 Event about the RiskModel with source, reporting component and timestamps', async () => {
    const { api, recorder } = setup();
    await recorder.record(riskModel(), 'Warning', 'ConfigMapNotFound', 'ConfigMap team-a/m does not exist');
    await recorder.flush();
    expect(api.requests).to.have.length(1);
    const { method, path, body } = api.requests[0]!;
    expect(method).to.equal('POST');
    expect(path).to.equal('/api/v1/namespaces/team-a/events');
    expect(body).to.deep.include({ type: 'Warning', reason: 'ConfigMapNotFound', count: 1, reportingComponent: 'riskmodel.dev/riskmodel-operator', reportingInstance: 'op-1' });
    expect((body as { involvedObject: object }).involvedObject).to.deep.include({ apiVersion: 'riskmodel.dev/v1alpha1', kind: 'RiskModel', name: 'demo', namespace: 'team-a' });
  });

  it('folds a repeat into the existing Event by raising its count instead of creating another', async () => {
    const { api, recorder } = setup();
    for (let i = 0; i < 3; i++) await recorder.record(riskModel(), 'Warning', 'ReconcileError', 'etcd timeout');
    await recorder.flush();
    expect(api.requests.map((r) => r.method)).to.deep.equal(['POST', 'PATCH', 'PATCH']);
    expect(api.requests[2]!.body).to.include({ count: 3 });
  });

  it('creates a new Event when the old one expired or the window passed', async () => {
    const { api, recorder } = setup();
    await recorder.record(riskModel(), 'Normal', 'Ready', '2 pods ready');
    await recorder.flush();
    api.failNext = new ApiError(404, 'NotFound', 'gone');
    await recorder.record(riskModel(), 'Normal', 'Ready', '2 pods ready');
    await recorder.flush();
    now += 11 * 60_000;
    await recorder.record(riskModel(), 'Normal', 'Ready', '2 pods ready');
    await recorder.flush();
    expect(api.requests.map((r) => r.method)).to.deep.equal(['POST', 'PATCH', 'POST', 'POST']);
  });

  for (const [code, reason] of [[403, 'Forbidden'], [500, 'InternalError']] as const) {
    it(`does not send a duplicate Event when raising the count fails with ${code}; it logs and keeps the Event for the next repeat`, async () => {
      const { api, lines, recorder } = setup();
      await recorder.record(riskModel(), 'Warning', 'ReconcileError', 'etcd timeout');
      await recorder.flush();
      api.failNext = new ApiError(code, reason, 'no patch');
      await recorder.record(riskModel(), 'Warning', 'ReconcileError', 'etcd timeout');
      await recorder.flush();
      await recorder.record(riskModel(), 'Warning', 'ReconcileError', 'etcd timeout');
      await recorder.flush();
      expect(api.requests.map((r) => r.method)).to.deep.equal(['POST', 'PATCH', 'PATCH']);
      expect(api.requests[2]!.body).to.include({ count: 2 });
      expect(lines.some((l) => l.message === 'could not record event' && l.error === 'no patch')).to.be.true;
    });
  }

  it('never fails the caller when the API refuses an event; it logs instead', async () => {
    const { api, lines, recorder } = setup();
    api.failNext = new ApiError(403, 'Forbidden', 'events is forbidden');
    await recorder.record(riskModel(), 'Normal', 'Created', 'created Service demo');
    await recorder.flush();
    expect(lines.some((l) => l.message === 'could not record event' && l.error === 'events is forbidden')).to.be.true;
  });
});
