// Needs the local cluster with its real node. The operator as a user installs it: `kubectl apply -k`
// of config/default (an overlay swaps in the locally built images), two replicas on the real node
// with their ServiceAccount token and in-cluster configuration, reaching the API server through the
// `kubernetes` Service. It reconciles a RiskModel to Ready on real pods, and when the leader pod is
// deleted the other replica takes the Lease and reconciles a change within lease duration + 10 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { loadConfig } from '../../localcluster/config.js';
import { imagesOnNode, type NodeImages } from '../../localcluster/images/on-node.js';
import { REAL_NODE_NAME } from '../../localcluster/node-config.js';
import { installOperator, leaseHolder, OPERATOR } from '../../scripts/lib/operator-install.js';
import { Cluster, isReady, type RiskModel } from '../operator/harness/api.js';
import { modelConfigMap, riskModel, trainedArtifact } from '../operator/harness/fixtures.js';
import { REPO_ROOT } from '../../scripts/lib/operator-process.js';
import { ensureCluster, freshNamespace, kubectl, kubectlOk, realNode, releaseNamespace, waitFor } from '../support/cluster.js';

/** A pod of the operator as config/default makes it: on the real node, the given image, a projected token, no host network, no kubeconfig. */
function expectInClusterPod(pod: k8s.V1Pod, image: string): void {
  const spec = pod.spec ?? { containers: [] };
  const container = spec.containers[0] ?? { name: '' };
  const tokenVolume = (spec.volumes ?? []).some((v) => (v.projected?.sources ?? []).some((s) => s.serviceAccountToken));
  expect(spec.nodeName).to.equal(REAL_NODE_NAME);
  expect(spec.hostNetwork ?? false).to.equal(false);
  expect(container.image).to.equal(image);
  expect(pod.status?.containerStatuses?.[0]?.containerID).to.match(/^containerd:\/\//);
  expect(tokenVolume, 'a projected ServiceAccount token volume').to.equal(true);
  expect((container.env ?? []).map((e) => e.name)).to.not.include('KUBECONFIG');
}

/** The operator's "operator started" log entry (JSON lines), if logged. */
function startLine(logs: string): Record<string, unknown> | undefined {
  const entries = logs.split('\n').map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      return {};
    }
  });
  return entries.find((e) => e.message === 'operator started');
}

const run = (args: string[], input?: string): Promise<string> => kubectlOk(args, input === undefined ? {} : { input });

describe('real node: the operator installed in-cluster from config/default', function () {
  this.timeout(15 * 60_000);
  let cluster: Cluster;
  let namespace: string;
  let images: NodeImages;
  let overlayDir: string;
  const operatorPods = async (): Promise<k8s.V1Pod[]> =>
    (await cluster.core.listNamespacedPod({ namespace: OPERATOR.namespace, labelSelector: `app.kubernetes.io/name=${OPERATOR.deployment}` })).items.filter((p) => !p.metadata?.deletionTimestamp);

  before(async function () {
    this.timeout(20 * 60_000);
    const { kubeconfigPath, kc } = await ensureCluster();
    const node = await realNode();
    if (!node.available) {
      console.log(`      skipped: ${node.reason}`);
      // Only on a machine without a real node, outside CI: under CI realNode() throws instead (test/support/cluster.ts).
      this.skip();
    }
    images = await imagesOnNode(loadConfig(), (line) => console.log(`      [images] ${line}`));
    cluster = new Cluster(kubeconfigPath);
    namespace = await freshNamespace(kc, 'incluster', { 'pod-security.kubernetes.io/enforce': 'restricted' }, { placement: 'real-node' });
    overlayDir = mkdtempSync(path.join(tmpdir(), 'operator-overlay-'));
    await installOperator(run, { repoRoot: REPO_ROOT, dir: overlayDir, operatorImage: images.operator, inferenceImage: images.inference, watchNamespaces: [namespace] });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    const logs = await kubectl(['logs', '-n', OPERATOR.namespace, '-l', `app.kubernetes.io/name=${OPERATOR.deployment}`, '--tail=40', '--prefix']);
    console.log(logs.stdout || logs.stderr);
  });

  after(async () => {
    if (overlayDir) rmSync(overlayDir, { recursive: true, force: true });
    await kubectl(['delete', 'deployment', OPERATOR.deployment, '-n', OPERATOR.namespace, '--ignore-not-found', '--wait=true', '--timeout=60s']);
    if (namespace) await releaseNamespace((await ensureCluster()).kc, namespace);
  });

  it('runs two operator pods on the real node with the built image, their token mounted and no host network', async () => {
    const pods = await operatorPods();
    expect(pods).to.have.length(2);
    for (const pod of pods) expectInClusterPod(pod, images.operator);
    const started = startLine(await kubectlOk(['logs', '-n', OPERATOR.namespace, pods[0]?.metadata?.name ?? '']));
    expect(started?.credentials).to.equal('in-cluster service account');
    // The kubernetes Service's ClusterIP on the default https port, as KUBERNETES_SERVICE_HOST/PORT say.
    expect(new URL(String(started?.server)).host).to.equal('10.96.0.1');
  });

  it('reconciles a RiskModel to Ready on real pods running the inference image', async () => {
    await cluster.core.createNamespacedConfigMap({ namespace, body: modelConfigMap(namespace, 'model', await trainedArtifact(41)) });
    await cluster.createRiskModel(riskModel(namespace, 'served', { model: { version: 'v1', configMapRef: { name: 'model' } }, minReplicas: 1, maxReplicas: 2 }));
    const rm = await waitFor(async () => {
      const r = await cluster.getRiskModel(namespace, 'served');
      return isReady(r) && r.status?.readyReplicas === 1 && r;
    }, { timeoutMs: 180_000, intervalMs: 1000, what: 'RiskModel served Ready with 1 ready pod' });
    expect(rm.status?.readyReplicas).to.equal(1);
    const pods = (await cluster.pods(namespace, 'served')).filter((p) => !p.metadata?.deletionTimestamp);
    expect(pods[0]?.spec?.nodeName).to.equal(REAL_NODE_NAME);
    expect(pods[0]?.spec?.containers[0]?.image).to.equal(images.inference);
  });

  it('fails over when the leader pod is deleted: the other replica takes the Lease and reconciles a change within lease duration + 10 s', async () => {
    const leader = await waitFor(() => leaseHolder(run), { timeoutMs: 60_000, what: 'a Lease holder' });
    const standby = (await operatorPods()).map((p) => p.metadata?.name).find((n) => n !== leader);
    expect(standby, 'a second operator pod').to.be.a('string');
    const lease = await cluster.coordination.readNamespacedLease({ namespace: OPERATOR.namespace, name: OPERATOR.lease });
    const budgetMs = ((lease.spec?.leaseDurationSeconds ?? 15) + 10) * 1000;
    const t0 = Date.now();
    await cluster.core.deleteNamespacedPod({ namespace: OPERATOR.namespace, name: leader });
    const updated: RiskModel = await cluster.patchRiskModelSpec(namespace, 'served', { maxReplicas: 3 });
    const newLeader = await waitFor(async () => {
      const holder = await leaseHolder(run);
      return holder && holder !== leader ? holder : undefined;
    }, { timeoutMs: budgetMs + 30_000, intervalMs: 250, what: 'another pod to take the Lease' });
    const tookOverMs = Date.now() - t0;
    await waitFor(async () => {
      const hpa = await cluster.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name: 'served' });
      const rm = await cluster.getRiskModel(namespace, 'served');
      return hpa.spec?.maxReplicas === 3 && rm.status?.observedGeneration === updated.metadata.generation;
    }, { timeoutMs: budgetMs + 30_000, intervalMs: 250, what: 'the HPA at maxReplicas 3 and the status at the new generation' });
    const reconciledMs = Date.now() - t0;
    console.log(`      leader ${leader} deleted: ${newLeader} took the Lease after ${(tookOverMs / 1000).toFixed(1)} s, the change was reconciled after ${(reconciledMs / 1000).toFixed(1)} s (budget ${budgetMs / 1000} s)`);
    // The deleted leader releases its Lease on SIGTERM, so the ReplicaSet's replacement pod may win it
    // as well as the standby; what matters is that a pod other than the deleted one leads and reconciles.
    expect(newLeader).to.not.equal(leader);
    expect(reconciledMs).to.be.below(budgetMs);
  });
});
