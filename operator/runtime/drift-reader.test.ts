import { expect } from 'chai';
import { defaultModel } from '../../inference/default-model.js';
import { DriftMonitor } from '../../inference/drift/monitor.js';
import { patientSource } from '../../inference/generator.js';
import { ApiError } from '../errors.js';
import type { Kube, RequestSpec, WatchStream } from '../kube/client.js';
import { memoryLogger } from '../testing/fakes.js';
import { DriftReader } from './drift-reader.js';

const model = defaultModel();

/** A pod's GET /drift after scoring `rows` training-like patients. */
function driftOf(rows: number): unknown {
  const monitor = new DriftMonitor(model, 1000);
  const next = patientSource(rows);
  for (let i = 0; i < rows; i++) monitor.observe(next(), 0);
  return JSON.parse(JSON.stringify(monitor.report()));
}

const pod = (name: string, template: string, extra: { ready?: boolean; deleting?: boolean; canary?: boolean } = {}) => ({
  metadata: { name, labels: { 'riskmodel.dev/track': extra.canary ? 'canary' : 'stable' }, annotations: { 'riskmodel.dev/config-hash': template }, ...(extra.deleting ? { deletionTimestamp: '2026-05-01T00:00:00Z' } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True' }] },
});

/** The pods' GET /drift through the proxy, scripted; `pods` stands for the operator's pod cache. */
class ScriptedKube implements Kube {
  readonly requests: RequestSpec[] = [];
  pods: unknown[] = [];
  readonly answers = new Map<string, unknown>();

  request<T>(spec: RequestSpec): Promise<T> {
    this.requests.push(spec);
    const proxied = /\/pods\/([^/:]+):8080\/proxy\/drift$/.exec(spec.path);
    if (!proxied) return Promise.reject(new Error(`unexpected request ${spec.method} ${spec.path}`));
    const answer = this.answers.get(proxied[1]!);
    return answer === undefined ? Promise.reject(new ApiError(503, 'ServiceUnavailable', 'no endpoints')) : Promise.resolve(answer as T);
  }

  watch(): WatchStream {
    throw new Error('not used');
  }
}

const ref = { namespace: 'team-a', name: 'demo', templateHash: 'current', selector: 'app.kubernetes.io/instance=demo,riskmodel.dev/track=stable' };

describe('DriftReader', () => {
  it('sums the drift of the Ready stable pods of the current template only, from the pod cache, asking each through the pod proxy with a timeout and a size cap', async () => {
    const kube = new ScriptedKube();
    kube.pods = [pod('a', 'current'), pod('b', 'current'), pod('old', 'previous'), pod('starting', 'current', { ready: false }), pod('leaving', 'current', { deleting: true }), pod('canary', 'current', { canary: true })];
    for (const name of ['a', 'b', 'old', 'starting', 'leaving', 'canary']) kube.answers.set(name, driftOf(300));
    const figures = await new DriftReader(kube, memoryLogger().log, () => kube.pods as never[]).measure(ref);
    expect(figures).to.include({ pods: 2, rows: 600 });
    const asked = kube.requests.filter((r) => r.path.endsWith('/proxy/drift'));
    expect(asked.map((r) => r.path)).to.deep.equal(['/api/v1/namespaces/team-a/pods/a:8080/proxy/drift', '/api/v1/namespaces/team-a/pods/b:8080/proxy/drift']);
    expect(asked.every((r) => r.timeoutMs === 5000 && r.maxResponseBytes === 256 * 1024)).to.equal(true);
    expect(kube.requests, 'no pod list: the pods come from the cache').to.have.length(2);
  });

  it('leaves out a pod it cannot reach or that answers something else, and says so in the log', async () => {
    const kube = new ScriptedKube();
    kube.pods = [pod('a', 'current'), pod('gone', 'current'), pod('odd', 'current')];
    kube.answers.set('a', driftOf(200));
    kube.answers.set('odd', { hello: 'world' });
    const { log, lines } = memoryLogger();
    const figures = await new DriftReader(kube, log, () => kube.pods as never[]).measure(ref);
    expect(figures).to.include({ pods: 1, rows: 200 });
    expect(lines.some((l) => l.message === 'pod answered GET /drift with something else than a drift report' && l.pod === 'odd')).to.equal(true);
  });

  it('reports the pods\' reason when their model has no drift reference', async () => {
    const kube = new ScriptedKube();
    kube.pods = [pod('a', 'current')];
    kube.answers.set('a', { available: false, reason: 'the model artifact has no drift reference' });
    expect((await new DriftReader(kube, memoryLogger().log, () => kube.pods as never[]).measure(ref)).unavailable).to.equal('the model artifact has no drift reference');
  });
});
