// Proof 6 (cluster): problems the schema cannot catch — a missing ConfigMap or key, an artifact
// that is not a model — show as Degraded with a Warning event, and fixing them recovers.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { CONFIG_HASH_ANNOTATION, condition, type RiskModel } from './harness/api.js';
import { eventually, sleep } from './harness/eventually.js';
import { modelConfigMap, riskModel, trainedArtifact } from './harness/fixtures.js';
import { useTestbed } from './harness/testbed.js';

const isDegraded = (rm: RiskModel): boolean => condition(rm, 'Degraded')?.status === 'True' && rm.status?.observedGeneration === rm.metadata.generation;

describe('operator on the local cluster: Degraded', function () {
  const bed = useTestbed({ operator: true });

  it('reports a missing ConfigMap as Degraded with a Warning event, then recovers when it appears', async function () {
    await bed.cluster.createRiskModel(riskModel(bed.namespace, 'orphan', { model: { version: 'v1', configMapRef: { name: 'absent-model' } } }));
    const degraded = await bed.waitForRiskModel('orphan', 'Degraded', isDegraded);
    expect(condition(degraded, 'Degraded')?.message).to.include('absent-model');
    expect(condition(degraded, 'Ready')?.status).to.equal('False');
    const warning = await eventually('a Warning event naming the ConfigMap', async (saw) => {
      const events = await bed.cluster.eventsFor(bed.namespace, 'RiskModel', 'orphan');
      saw(events.map((e) => [e.type, e.reason, e.message]));
      return events.find((e) => e.type === 'Warning' && (e.message ?? '').includes('absent-model'));
    });
    expect(warning.reason).to.be.a('string').and.not.equal('');

    await bed.cluster.core.createNamespacedConfigMap({ namespace: bed.namespace, body: modelConfigMap(bed.namespace, 'absent-model', await trainedArtifact(1)) });
    const ready = await bed.waitForReady('orphan');
    expect(condition(ready, 'Degraded')?.status).to.equal('False');
  });

  it('neither retries a missing ConfigMap on a timer nor repeats its Warning in a storm of spec edits', async function () {
    await bed.cluster.createRiskModel(riskModel(bed.namespace, 'patient', { model: { version: 'v1', configMapRef: { name: 'never-made' } } }));
    await bed.waitForRiskModel('patient', 'Degraded', isDegraded);
    const terminal = () => bed.operator.metric('riskmodel_operator_reconcile_total', (l) => l.result === 'terminal');
    const warningsBefore = await warningCount('patient');

    // Idle: no backoff loop. One resync (RESYNC_SECONDS=30 in the tests) may fall in the window.
    const idleBefore = await terminal();
    await sleep(10_000);
    expect((await terminal()) - idleBefore, 'reconciles of a Degraded RiskModel in 10 s while nothing changed').to.be.at.most(1);

    // The storm: every edit is a new generation, so each wakes the operator, which sees the same problem.
    const stormBefore = await terminal();
    for (let i = 0; i < 10; i++) await bed.cluster.patchRiskModelSpec(bed.namespace, 'patient', { scaleDownStabilizationSeconds: 100 + i });
    const last = await bed.waitForRiskModel('patient', 'the last edit observed', (rm) => isDegraded(rm) && rm.spec.scaleDownStabilizationSeconds === 109);
    expect(condition(last, 'Degraded')?.message).to.include('never-made');
    expect((await terminal()) - stormBefore, 'reconciles during the storm (the edits reached the operator)').to.be.at.least(1);
    await sleep(2_000);
    expect((await warningCount('patient')) - warningsBefore, 'new Warning events for the same problem').to.equal(0);
  });

  it('reports a ConfigMap without the model key as Degraded naming the key', async function () {
    await bed.cluster.core.createNamespacedConfigMap({ namespace: bed.namespace, body: { metadata: { name: 'keyless' }, data: { 'other.json': '{}' } } });
    await bed.cluster.createRiskModel(riskModel(bed.namespace, 'keyless', { model: { version: 'v1', configMapRef: { name: 'keyless' } } }));
    const degraded = await bed.waitForRiskModel('keyless', 'Degraded', isDegraded);
    expect(condition(degraded, 'Degraded')?.message).to.include('model.json');
  });

  it('never rolls out an artifact that is not a valid model, and recovers when it is fixed', async function () {
    await bed.cluster.core.createNamespacedConfigMap({ namespace: bed.namespace, body: modelConfigMap(bed.namespace, 'flaky-model', await trainedArtifact(1)) });
    await bed.cluster.createRiskModel(riskModel(bed.namespace, 'steady', { model: { version: 'v1', configMapRef: { name: 'flaky-model' } } }));
    await bed.waitForReady('steady');
    const hashBefore = await templateHash('steady');

    await setArtifact('flaky-model', JSON.stringify({ version: 'broken', weights: 'not a model' }));
    const degraded = await bed.waitForRiskModel('steady', 'Degraded', isDegraded);
    expect(condition(degraded, 'Degraded')?.message).to.match(/model|artifact/i);
    await sleep(3_000);
    expect(await templateHash('steady'), 'the pod template after a bad model').to.equal(hashBefore);
    expect(await bed.cluster.replicaSets(bed.namespace, 'steady')).to.have.length(1);
    const { deployment } = await bed.cluster.children(bed.namespace, 'steady');
    expect(deployment?.status?.readyReplicas, 'pods keep serving the old model').to.equal(2);

    await setArtifact('flaky-model', await trainedArtifact(1));
    // Recovery is Degraded going False, with Ready True again (waiting for Ready alone could see a stale status).
    const recovered = await bed.waitForRiskModel('steady', 'no longer Degraded', (rm) => condition(rm, 'Degraded')?.status === 'False');
    expect(condition(recovered, 'Ready')?.status).to.equal('True');
    expect(await templateHash('steady'), 'the original model back: nothing to roll').to.equal(hashBefore);
  });

  async function warningCount(name: string): Promise<number> {
    const events = await bed.cluster.eventsFor(bed.namespace, 'RiskModel', name);
    return events.filter((e) => e.type === 'Warning').reduce((sum, e) => sum + Math.max(e.count ?? 1, e.series?.count ?? 1), 0);
  }

  async function templateHash(name: string): Promise<string | undefined> {
    const { deployment } = await bed.cluster.children(bed.namespace, name);
    return deployment?.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
  }

  async function setArtifact(configMap: string, artifact: string): Promise<void> {
    await bed.cluster.core.patchNamespacedConfigMap(
      { namespace: bed.namespace, name: configMap, body: { data: { 'model.json': artifact } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }
});
