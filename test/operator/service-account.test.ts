// Proof 8 (cluster): the operator runs with nothing but its own ServiceAccount's permissions
// from config/rbac, and those permissions do not include reading Secrets.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { Cluster, apiStatus } from './harness/api.js';
import { eventually } from './harness/eventually.js';
import { modelConfigMap, riskModel, trainedArtifact } from './harness/fixtures.js';
import { REPO_ROOT } from '../../scripts/lib/operator-process.js';
import { kubectl, useTestbed } from './harness/testbed.js';

const SYSTEM_NAMESPACE = 'riskmodel-system';
const SERVICE_ACCOUNT = 'riskmodel-operator';

describe('operator on the local cluster: running as its own ServiceAccount', function () {
  const bed = useTestbed();
  let tmp: string;
  let createdSystemNamespace = false;
  let asOperator: Cluster;

  before(async function () {
    this.timeout(120_000);
    createdSystemNamespace = await ensureNamespace(SYSTEM_NAMESPACE);
    await kubectl(['apply', '--server-side', '--force-conflicts', '-n', SYSTEM_NAMESPACE, '-k', path.join(REPO_ROOT, 'config/rbac')]);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'riskmodel-sa-'));
    const kubeconfig = path.join(tmp, 'kubeconfig');
    await writeFile(kubeconfig, await serviceAccountKubeconfig(), { mode: 0o600 });
    asOperator = new Cluster(kubeconfig);
    await bed.startOperator({
      kubeconfig,
      lease: { name: `riskmodel-operator-${bed.namespace}`, namespace: SYSTEM_NAMESPACE, durationSeconds: 6 },
    });
    await bed.operator.waitForLog((entry) => entry.message === 'became leader', 30_000, 'leadership (a Lease in riskmodel-system)');
  });

  after(async function () {
    this.timeout(120_000);
    if (tmp) await rm(tmp, { recursive: true, force: true });
    if (createdSystemNamespace) {
      await kubectl(['delete', '--ignore-not-found', '--wait=false', '-n', SYSTEM_NAMESPACE, '-k', path.join(REPO_ROOT, 'config/rbac')]);
      await kubectl(['delete', 'namespace', SYSTEM_NAMESPACE, '--ignore-not-found', '--wait=false']);
    }
  });

  it('makes a RiskModel with a model ConfigMap Ready, with events, using only its RBAC', async function () {
    await bed.cluster.core.createNamespacedConfigMap({ namespace: bed.namespace, body: modelConfigMap(bed.namespace, 'sa-model', await trainedArtifact(1)) });
    await bed.cluster.createRiskModel(riskModel(bed.namespace, 'least-privilege', { model: { version: 'v1', configMapRef: { name: 'sa-model' } } }));
    const ready = await bed.waitForReady('least-privilege');
    expect(ready.status?.readyReplicas).to.equal(2);
    await eventually('a Normal event from the operator', async () => {
      const events = await bed.cluster.eventsFor(bed.namespace, 'RiskModel', 'least-privilege');
      return events.some((e) => e.type === 'Normal');
    }, { timeoutMs: 30_000 });
  });

  it('recreates a deleted HPA and reports a missing ConfigMap as Degraded under the same RBAC', async function () {
    await bed.cluster.autoscaling.deleteNamespacedHorizontalPodAutoscaler({ namespace: bed.namespace, name: 'least-privilege' });
    await eventually('the HPA to come back', async () => (await bed.cluster.children(bed.namespace, 'least-privilege')).hpa, { timeoutMs: 30_000 });
    await bed.cluster.createRiskModel(riskModel(bed.namespace, 'no-model', { model: { version: 'v1', configMapRef: { name: 'missing' } } }));
    await bed.waitForRiskModel('no-model', 'Degraded', (rm) => rm.status?.conditions?.some((c) => c.type === 'Degraded' && c.status === 'True') === true);
  });

  it('writes immutable model snapshots and prunes old ones beyond revisionHistoryLimit under the same RBAC', async function () {
    this.timeout(120_000);
    await bed.cluster.patchRiskModelSpec(bed.namespace, 'least-privilege', { revisionHistoryLimit: 1 });
    for (const seed of [2, 3]) {
      await bed.cluster.core.replaceNamespacedConfigMap({ namespace: bed.namespace, name: 'sa-model', body: modelConfigMap(bed.namespace, 'sa-model', await trainedArtifact(seed)) });
      await eventually(`revision of seed ${seed} serving`, async () => {
        const rm = await bed.cluster.getRiskModel(bed.namespace, 'least-privilege');
        return rm.status?.history?.at(-1)?.endedAt === undefined && rm.status?.history?.length === seed;
      }, { timeoutMs: 60_000 });
    }
    const snapshots = await eventually('the oldest snapshot pruned', async () => {
      const list = await bed.cluster.core.listNamespacedConfigMap({ namespace: bed.namespace, labelSelector: 'app.kubernetes.io/component=model-snapshot,app.kubernetes.io/instance=least-privilege' });
      return list.items.length === 2 && list.items;
    }, { timeoutMs: 60_000 });
    expect(snapshots.map((cm) => cm.metadata?.labels?.['riskmodel.dev/revision']).sort()).to.deep.equal(['2', '3']);
    expect(snapshots.every((cm) => cm.immutable === true)).to.equal(true);
  });

  it('may list pods and use the pod proxy (canary analysis), and nothing more on pods', async function () {
    const authz = asOperator.kc.makeApiClient(k8s.AuthorizationV1Api);
    const can = async (verb: string, resource: string, subresource?: string) => {
      const review = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: bed.namespace, verb, resource, ...(subresource ? { subresource } : {}) } } } });
      return review.status?.allowed === true;
    };
    expect(await can('list', 'pods')).to.equal(true);
    expect(await can('watch', 'pods')).to.equal(true);
    expect(await can('create', 'pods', 'proxy')).to.equal(true);
    expect(await can('get', 'pods', 'proxy')).to.equal(true);
    expect(await can('delete', 'pods')).to.equal(false);
    expect(await can('create', 'pods', 'exec')).to.equal(false);
    expect(await can('create', 'pods', 'eviction')).to.equal(false);
  });

  it('may patch a RiskModel (the failed-canary annotation) but neither create, update nor delete one', async function () {
    const authz = asOperator.kc.makeApiClient(k8s.AuthorizationV1Api);
    const can = async (verb: string) => {
      const review = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: bed.namespace, verb, group: 'riskmodel.dev', resource: 'riskmodels' } } } });
      return review.status?.allowed === true;
    };
    expect(await can('patch')).to.equal(true);
    for (const verb of ['create', 'update', 'delete']) expect(await can(verb), verb).to.equal(false);
  });

  it('reads ConfigMaps only by list and watch (no get), and writes them (its snapshots) by create, patch and delete', async function () {
    const authz = asOperator.kc.makeApiClient(k8s.AuthorizationV1Api);
    const can = async (verb: string) => {
      const review = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: bed.namespace, verb, resource: 'configmaps' } } } });
      return review.status?.allowed === true;
    };
    for (const verb of ['list', 'watch', 'create', 'patch', 'delete']) expect(await can(verb), verb).to.equal(true);
    for (const verb of ['get', 'update', 'deletecollection']) expect(await can(verb), verb).to.equal(false);
  });

  it('logs no permission errors while it works', function () {
    const denied = bed.operator.entries.filter((entry) => /forbidden|\b403\b/i.test(JSON.stringify(entry)));
    expect(denied.map((entry) => entry.message)).to.deep.equal([]);
  });

  it('is forbidden (403) to read Secrets, here or cluster-wide', async function () {
    const here = await asOperator.core.listNamespacedSecret({ namespace: bed.namespace }).catch((err: unknown) => err);
    expect(apiStatus(here)).to.equal(403);
    const everywhere = await asOperator.core.listSecretForAllNamespaces().catch((err: unknown) => err);
    expect(apiStatus(everywhere)).to.equal(403);
    const one = await asOperator.core.readNamespacedSecret({ namespace: SYSTEM_NAMESPACE, name: 'anything' }).catch((err: unknown) => err);
    expect(apiStatus(one)).to.equal(403);
  });

  /** A kubeconfig holding a fresh TokenRequest token for the operator's ServiceAccount. */
  async function serviceAccountKubeconfig(): Promise<string> {
    const request = await bed.cluster.core.createNamespacedServiceAccountToken({
      namespace: SYSTEM_NAMESPACE,
      name: SERVICE_ACCOUNT,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const admin = bed.cluster.kc.getCurrentCluster();
    if (!admin) throw new Error('the admin kubeconfig has no current cluster');
    const cluster: Record<string, unknown> = { server: admin.server };
    if (admin.caData) cluster['certificate-authority-data'] = admin.caData;
    if (admin.caFile) cluster['certificate-authority'] = admin.caFile;
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster }],
      users: [{ name: SERVICE_ACCOUNT, user: { token: request.status?.token } }],
      contexts: [{ name: SERVICE_ACCOUNT, context: { cluster: 'local', user: SERVICE_ACCOUNT } }],
      'current-context': SERVICE_ACCOUNT,
    });
  }

  /** Creates the namespace unless it exists; true when this test created it. */
  async function ensureNamespace(name: string): Promise<boolean> {
    try {
      await bed.cluster.core.readNamespace({ name });
      return false;
    } catch (err) {
      if (apiStatus(err) !== 404) throw err;
    }
    await bed.cluster.core.createNamespace({ body: { metadata: { name } } });
    return true;
  }
});
