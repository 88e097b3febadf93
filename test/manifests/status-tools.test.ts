// The statuses the operator derives (operator/model/status.ts, from observations like the cluster's),
// read by the tools users point at RiskModels: kstatus (Flux, kpt, Helm's --wait) and Argo CD's
// health check in config/argocd. No cluster: the cluster tests (test/dataplane/pod-problems.test.ts)
// check the same verdicts on real pods.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { withDefaults, type RiskModel } from '../../operator/api/riskmodel.js';
import { Reason } from '../../operator/api/reasons.js';
import { deriveStatus, type Observed } from '../../operator/model/status.js';
import type { Delivery } from '../../operator/model/served.js';
import type { DriftFigures } from '../../operator/model/input-drift.js';
import { deploymentStatus, riskModel, TEST_IMAGE } from '../../operator/testing/fixtures.js';
import { argoHealthOf, ensureKstatusCheck, kstatusOf, luaLiteral } from '../support/status-tools.js';
import { CONFIG_HASH_ANNOTATION } from '../../operator/api/labels.js';

const now = new Date('2026-12-06T12:00:00Z');
/** What delivery concluded, but the history: these cases leave it unchanged. */
type Outcome = Omit<Delivery, 'history'>;
const served: Outcome = { served: { source: 'image' } };

/** The RiskModel as the API server would return it after the operator published the status for `observed`. */
function published(observed: Observed, outcome: Outcome = served, generation = 2, drift?: DriftFigures): RiskModel {
  const rm = riskModel();
  rm.metadata.generation = generation;
  return { ...rm, status: deriveStatus({ riskModel: rm, spec: withDefaults(rm.spec, TEST_IMAGE), observed, delivery: { ...outcome, history: 'unchanged' }, ...(drift ? { drift } : {}), now }) };
}

/** Inputs far from the training data: InputDrift=True. */
const drifted: DriftFigures = { pods: 2, rows: 5000, features: [{ name: 'oxygenSaturation', psi: 0.9, outOfRange: 40 }] };

function unpullable(): Observed {
  const deployment = deploymentStatus({ replicas: 1, ready: 0, updated: 1, available: 0 });
  deployment.spec!.template = { metadata: { annotations: { [CONFIG_HASH_ANNOTATION]: 'h' } } };
  const pod: V1Pod = {
    metadata: { name: 'demo-1', annotations: { [CONFIG_HASH_ANNOTATION]: 'h' } },
    status: { containerStatuses: [{ name: 'inference', image: 'localhost:1/missing:0', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } }] },
  };
  return { deployment, pods: [pod] };
}

describe('status for tools: kstatus and Argo CD read the operator\'s conditions', function () {
  before(async function () {
    this.timeout(10 * 60_000);
    await ensureKstatusCheck((line) => console.log(`      ${line}`));
  });

  const ready = (): RiskModel => published({ deployment: deploymentStatus({ replicas: 2, ready: 2 }) });
  const cases: [string, () => RiskModel, string, string][] = [
    ['a Ready RiskModel is Current and Healthy', ready, 'Current', 'Healthy'],
    ['a RiskModel whose latest spec the operator has not seen is InProgress and Progressing', () => ({ ...ready(), metadata: { ...ready().metadata, generation: 3 } }), 'InProgress', 'Progressing'],
    ['a rollout is InProgress and Progressing', () => published({ deployment: deploymentStatus({ replicas: 2, ready: 1, updated: 1 }) }), 'InProgress', 'Progressing'],
    ['an invalid model is Failed and Degraded', () => published({}, { problem: { reason: Reason.InvalidModel, message: 'model.json: not JSON' } }), 'Failed', 'Degraded'],
    ['an image that cannot be pulled is Failed and Degraded', () => published(unpullable()), 'Failed', 'Degraded'],
    ['a Ready RiskModel whose inputs drifted (InputDrift=True) is still Current and Healthy: drift is a warning about the world, not the deployment', () => published({ deployment: deploymentStatus({ replicas: 2, ready: 2 }) }, served, 2, drifted), 'Current', 'Healthy'],
    ['a RiskModel the operator has not reported on yet: kstatus calls it Current (its default without conditions), Argo CD waits', () => { const rm = riskModel(); rm.metadata.generation = 1; return rm; }, 'Current', 'Progressing'],
  ];
  for (const [name, make, kstatus, argo] of cases) {
    it(name, async () => {
      const rm = make();
      expect((await kstatusOf(rm)).status, 'kstatus').to.equal(kstatus);
      expect((await argoHealthOf(rm)).status, 'Argo CD').to.equal(argo);
    });
  }

  it('passes the operator\'s words on: the Failed and Degraded messages name the pod and the image', async () => {
    const rm = published(unpullable());
    expect((await kstatusOf(rm)).message).to.contain('pod demo-1 container inference cannot pull image "localhost:1/missing:0"');
    expect((await argoHealthOf(rm)).message).to.match(/^ImagePullFailed: pod demo-1 container inference cannot pull image/);
  });

  it('hands Lua the object intact: quotes, backslashes, newlines and non-ASCII text survive', async () => {
    const rm = published({}, { problem: { reason: Reason.InvalidModel, message: 'a "quoted" \\ back\nslash — ünïcode' } });
    expect((await argoHealthOf(rm)).message).to.equal('InvalidModel: a "quoted" \\ back\nslash — ünïcode');
    expect(luaLiteral({ a: [1, null, true] })).to.equal('{["a"] = {1, nil, true}}');
  });
});
