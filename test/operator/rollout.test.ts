// Proof 4 (cluster): a new model rolls the pods without touching the replica count the HPA
// holds, and a reconcile with nothing to change rolls nothing.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { CONFIG_HASH_ANNOTATION, FIELD_MANAGER, isReady } from './harness/api.js';
import { eventually, sleep } from './harness/eventually.js';
import { modelConfigMap, riskModel, trainedArtifact } from './harness/fixtures.js';
import { useTestbed } from './harness/testbed.js';

describe('operator on the local cluster: model rollout', function () {
  const bed = useTestbed({ operator: true });
  const name = 'rolling';
  const configMap = 'rolling-model';

  before(async function () {
    await bed.cluster.core.createNamespacedConfigMap({ namespace: bed.namespace, body: modelConfigMap(bed.namespace, configMap, await trainedArtifact(1)) });
    await bed.cluster.createRiskModel(
      riskModel(bed.namespace, name, { model: { version: 'v1', configMapRef: { name: configMap } }, minReplicas: 2, maxReplicas: 6 }),
    );
    await bed.waitForReady(name);
    // The HPA, not the operator, takes the Deployment from 2 to 4.
    await bed.cluster.patchRiskModelSpec(bed.namespace, name, { minReplicas: 4 });
    await bed.waitForRiskModel(name, '4 ready replicas', (rm) => rm.status?.readyReplicas === 4 && rm.status.observedGeneration === rm.metadata.generation);
  });

  it('leaves spec.replicas to the HPA once the HPA has scaled the Deployment', async function () {
    const { deployment } = await bed.cluster.children(bed.namespace, name);
    expect(deployment?.spec?.replicas).to.equal(4);
    expect(replicaOwners(deployment!), 'managers of spec.replicas').to.not.include(FIELD_MANAGER);
  });

  it('rolls the pods to a new ReplicaSet when the model ConfigMap changes, keeping the 4 replicas the HPA holds', async function () {
    const before = await bed.cluster.replicaSets(bed.namespace, name);
    expect(before, 'one ReplicaSet before the change').to.have.length(1);
    const oldHash = before[0]!.spec!.template!.metadata!.annotations![CONFIG_HASH_ANNOTATION];
    const oldModelVersion = (await bed.cluster.getRiskModel(bed.namespace, name)).status?.modelVersion;

    await bed.cluster.core.patchNamespacedConfigMap(
      { namespace: bed.namespace, name: configMap, body: { data: { 'model.json': await trainedArtifact(2) } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );

    const replicaCounts = new Set<number | undefined>();
    const after = await eventually('a new ReplicaSet with 4 ready pods and the old one scaled to 0', async (saw) => {
      const { deployment } = await bed.cluster.children(bed.namespace, name);
      replicaCounts.add(deployment?.spec?.replicas);
      const sets = await bed.cluster.replicaSets(bed.namespace, name);
      saw(sets.map((rs) => ({ replicas: rs.spec?.replicas, ready: rs.status?.readyReplicas })));
      const [old, current] = sets;
      return sets.length === 2 && old?.spec?.replicas === 0 && current?.status?.readyReplicas === 4 && sets;
    }, { intervalMs: 150 });

    expect([...replicaCounts], 'Deployment spec.replicas seen during the rollout').to.deep.equal([4]);
    const newHash = after[1]!.spec!.template!.metadata!.annotations![CONFIG_HASH_ANNOTATION];
    expect(newHash).to.be.a('string').and.not.equal(oldHash);
    const rm = await bed.waitForRiskModel(name, 'Ready at 4 replicas with the new model', (r) => isReady(r) && r.status?.modelVersion !== oldModelVersion && r.status?.readyReplicas === 4);
    expect(rm.status?.modelVersion).to.match(/^v1-/);
    const { hpa } = await bed.cluster.children(bed.namespace, name);
    expect(hpa?.status?.desiredReplicas).to.equal(4);
  });

  it('creates no new ReplicaSet when a restarted operator reconciles an unchanged RiskModel', async function () {
    const before = await rolloutState();

    expect(await bed.operator.stop(), 'exit code after SIGTERM').to.equal(0);
    const restarted = await bed.startOperator();
    // A reconcile with nothing to do logs nothing; the operator's own counter says it ran.
    await eventually('the restarted operator to reconcile', async () => (await restarted.metric('riskmodel_operator_reconcile_total')) >= 1, { timeoutMs: 30_000 });
    await sleep(3_000);

    const after = await rolloutState();
    expect(after).to.deep.equal(before);
    expect(after.replicas).to.equal(4);
  });

  /** What a rollout would change: Deployment generation, template hash, replicas, ReplicaSets, live pods. */
  async function rolloutState(): Promise<Record<string, unknown>> {
    const { deployment } = await bed.cluster.children(bed.namespace, name);
    const sets = await bed.cluster.replicaSets(bed.namespace, name);
    const pods = await bed.cluster.pods(bed.namespace, name);
    return {
      generation: deployment?.metadata?.generation,
      hash: deployment?.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION],
      replicas: deployment?.spec?.replicas,
      replicaSets: sets.map((rs) => rs.metadata?.name),
      livePods: pods.filter((p) => !p.metadata?.deletionTimestamp).length,
    };
  }
});

/** Field managers that own `spec.replicas`, from the object's managedFields. */
function replicaOwners(deployment: k8s.V1Deployment): string[] {
  return (deployment.metadata?.managedFields ?? [])
    .filter((entry) => {
      const fields = entry.fieldsV1 as { 'f:spec'?: Record<string, unknown> } | undefined;
      return fields?.['f:spec']?.['f:replicas'] !== undefined;
    })
    .map((entry) => entry.manager ?? '');
}
