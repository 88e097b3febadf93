// Proof 1 (cluster): a sample RiskModel becomes Ready, its children carry the contract, and
// `kubectl get riskmodels` shows the printer columns.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import { CONFIG_HASH_ANNOTATION, FIELD_MANAGER, LABELS, condition, type Children, type RiskModel } from './harness/api.js';
import { eventually } from './harness/eventually.js';
import { modelConfigMap, riskModel, trainedArtifact } from './harness/fixtures.js';
import { REPO_ROOT } from '../../scripts/lib/operator-process.js';
import { kubectl, useTestbed } from './harness/testbed.js';

const MINIMAL_SAMPLE = path.join(REPO_ROOT, 'samples/riskmodel-minimal.yaml');

describe('operator on the local cluster: a RiskModel becomes Ready', function () {
  const bed = useTestbed({ operator: true });
  let sample: RiskModel;
  let ready: RiskModel;
  let children: Children;

  before(async function () {
    sample = parse(await readFile(MINIMAL_SAMPLE, 'utf8')) as RiskModel;
    await kubectl(['apply', '-n', bed.namespace, '-f', MINIMAL_SAMPLE]);
    ready = await bed.waitForReady(sample.metadata.name);
    children = await bed.cluster.children(bed.namespace, sample.metadata.name);
  });

  it('reaches Ready with readyReplicas equal to minReplicas and a complete status', function () {
    const status = ready.status ?? {};
    expect(ready.spec.minReplicas, 'the CRD defaults minReplicas').to.equal(sample.spec.minReplicas ?? 2);
    expect(status.readyReplicas).to.equal(ready.spec.minReplicas);
    expect(status.replicas).to.equal(ready.spec.minReplicas);
    expect(status.observedGeneration).to.equal(ready.metadata.generation);
    expect(status.modelVersion ?? '').to.match(new RegExp(`^${escape(ready.spec.model.version ?? '')}`));
    expect(status.endpoint).to.equal(`http://${ready.metadata.name}.${bed.namespace}.svc.cluster.local:${ready.spec.service?.port ?? 80}`);
    expect(condition(ready, 'Progressing')?.status).to.equal('False');
    expect(condition(ready, 'Degraded')?.status).to.equal('False');
  });

  it('creates a Deployment, a Service, an HPA and a PodDisruptionBudget named like the RiskModel, labelled and owned by it, and no NetworkPolicy', function () {
    const { networkPolicy, ...made } = children;
    expect(networkPolicy, 'a NetworkPolicy is made only when spec.networkPolicy is set').to.equal(undefined);
    for (const [kind, child] of Object.entries(made) as [string, k8s.KubernetesObject | undefined][]) {
      expect(child, kind).to.not.equal(undefined);
      const meta = child?.metadata ?? {};
      expect(meta.name, kind).to.equal(ready.metadata.name);
      expect(meta.labels, kind).to.include({
        [LABELS.name]: 'riskmodel-inference',
        [LABELS.instance]: ready.metadata.name,
        [LABELS.managedBy]: 'riskmodel-operator',
      });
      expect(meta.ownerReferences, kind).to.deep.equal([
        { apiVersion: 'riskmodel.dev/v1alpha1', kind: 'RiskModel', name: ready.metadata.name, uid: ready.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
      const appliers = (meta.managedFields ?? []).filter((f) => f.operation === 'Apply').map((f) => f.manager);
      expect(appliers, `${kind} is written with server-side apply by the operator`).to.include(FIELD_MANAGER);
    }
  });

  it('runs the inference container with probes, resources and a restricted security context', function () {
    const deployment = children.deployment!;
    const pod = deployment.spec!.template;
    expect(deployment.spec!.selector.matchLabels).to.deep.equal({ [LABELS.name]: 'riskmodel-inference', [LABELS.instance]: ready.metadata.name });
    expect(pod.metadata?.labels).to.include(deployment.spec!.selector.matchLabels);
    expect(pod.metadata?.annotations?.[CONFIG_HASH_ANNOTATION]).to.be.a('string').and.not.equal('');
    expect(pod.spec!.containers).to.have.length(1);
    const container = pod.spec!.containers[0]!;
    expect(container.ports?.map((p) => p.containerPort)).to.deep.equal([8080]);
    expect(container.livenessProbe?.httpGet?.path).to.equal('/healthz');
    expect(container.readinessProbe?.httpGet?.path).to.equal('/readyz');
    expect(container.resources).to.deep.equal({
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '128Mi' },
      limits: { cpu: '200m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
    });
    expectRestricted(pod.spec!, container);
  });

  it('exposes the pods through the Service and scales them with an autoscaling/v2 HPA', function () {
    const { service, hpa, deployment } = children;
    expect(service!.spec!.type).to.equal('ClusterIP');
    expect(service!.spec!.selector).to.deep.equal(deployment!.spec!.selector.matchLabels);
    expect(service!.spec!.ports?.map((p) => p.port)).to.deep.equal([80]);
    expect(targetContainerPort(service!, deployment!), 'the Service targets the container port').to.equal(8080);
    expect(hpa!.spec!.scaleTargetRef).to.deep.equal({ apiVersion: 'apps/v1', kind: 'Deployment', name: ready.metadata.name });
    expect(hpa!.spec!.minReplicas).to.equal(ready.spec.minReplicas);
    expect(hpa!.spec!.maxReplicas).to.equal(ready.spec.maxReplicas);
    expect(hpa!.spec!.metrics).to.deep.equal([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: ready.spec.targetCPUUtilizationPercentage } } },
    ]);
    expect(hpa!.spec!.behavior?.scaleDown?.stabilizationWindowSeconds).to.equal(ready.spec.scaleDownStabilizationSeconds);
  });

  it('lists RiskModels with the MIN, MAX, REPLICAS, READY, SCALING, STATUS, MODEL, REVISION and AGE columns (and TARGET, CPU and CANARY in -o wide)', async function () {
    const table = parseTable(await kubectl(['get', 'riskmodels', '-n', bed.namespace]));
    expect(table.header).to.deep.equal(['NAME', 'MIN', 'MAX', 'REPLICAS', 'READY', 'SCALING', 'STATUS', 'MODEL', 'REVISION', 'AGE']);
    const wide = parseTable(await kubectl(['get', 'riskmodels', '-n', bed.namespace, '-o', 'wide']));
    expect(wide.header).to.include.members(['TARGET', 'CPU', 'SCALING', 'CANARY']);
    const row = table.rows.find((r) => r['NAME'] === ready.metadata.name);
    expect(row, JSON.stringify(table.rows)).to.not.equal(undefined);
    expect([row!['MIN'], row!['MAX']]).to.deep.equal([ready.spec.minReplicas, ready.spec.maxReplicas].map(String));
    // The CPU short form shows in SCALING too: what the HPA scales on, its reading (? before the first) and target.
    expect(row!['SCALING']).to.match(new RegExp(`^CPU (\\d+|\\?)/${String(ready.spec.targetCPUUtilizationPercentage)}%$`));
    expect(wide.rows.find((r) => r['NAME'] === ready.metadata.name)?.['TARGET']).to.equal(String(ready.spec.targetCPUUtilizationPercentage));
    expect([row!['REPLICAS'], row!['READY']]).to.deep.equal([String(ready.status?.replicas), String(ready.status?.readyReplicas)]);
    expect(row!['STATUS'], 'the Ready condition shown').to.equal(condition(ready, 'Ready')?.reason);
    expect(row!['MODEL']).to.equal(ready.status?.modelVersion);
    expect(row!['REVISION'], 'the model built into the image has no snapshot revision').to.equal(ready.status?.revision === undefined ? '' : String(ready.status.revision));
    expect(row!['AGE']).to.match(/^\d+[smhd]/);
    const short = await kubectl(['get', 'rm', '-n', bed.namespace, '-o', 'name']);
    expect(short.trim().split('\n')).to.include(`riskmodel.riskmodel.dev/${ready.metadata.name}`);
  });

  it("mounts an immutable operator-owned snapshot of the model ConfigMap read-only (never the user's ConfigMap) and points MODEL_PATH at it", async function () {
    const artifact = await trainedArtifact(1);
    await bed.cluster.core.createNamespacedConfigMap({ namespace: bed.namespace, body: modelConfigMap(bed.namespace, 'model-a', artifact) });
    const rm = riskModel(bed.namespace, 'with-model', { model: { version: '2026.11', configMapRef: { name: 'model-a' } } });
    await bed.cluster.createRiskModel(rm);
    const readyRm = await bed.waitForReady('with-model');
    const deployment = await eventually('the Deployment', async () => (await bed.cluster.children(bed.namespace, 'with-model')).deployment);
    const pod = deployment.spec!.template.spec!;
    const container = pod.containers[0]!;
    const volume = pod.volumes!.find((v) => v.configMap)!;
    await expectSnapshot(volume.configMap!.name!, artifact);
    expect(readyRm.status!.revision).to.equal(1);
    const mount = container.volumeMounts?.find((m) => m.name === volume.name);
    expect(mount?.readOnly).to.equal(true);
    const modelPath = container.env?.find((e) => e.name === 'MODEL_PATH')?.value ?? '';
    expect(modelPath.startsWith(`${mount!.mountPath}/`), `MODEL_PATH ${modelPath} under ${mount!.mountPath}`).to.equal(true);
    expect(modelPath.endsWith('model.json')).to.equal(true);
    expect(readyRm.status?.modelVersion).to.match(/^2026\.11/);
    expect(readyRm.status?.modelVersion).to.not.equal('2026.11', 'the model version carries a content hash');
  });

  /** The volume's ConfigMap is the operator's immutable, owned snapshot of `artifact`. */
  async function expectSnapshot(name: string, artifact: string): Promise<void> {
    expect(name, 'a volume from the snapshot').to.match(/^with-model-model-[0-9a-f]{10}$/);
    const snapshot = await bed.cluster.core.readNamespacedConfigMap({ namespace: bed.namespace, name });
    expect(snapshot.immutable).to.equal(true);
    expect(snapshot.data).to.deep.equal({ 'model.json': artifact });
    expect(snapshot.metadata!.ownerReferences![0]).to.include({ kind: 'RiskModel', name: 'with-model', controller: true });
  }
});

function expectRestricted(pod: k8s.V1PodSpec, container: k8s.V1Container): void {
  const podContext = pod.securityContext ?? {};
  const context = container.securityContext ?? {};
  expect(context.runAsNonRoot ?? podContext.runAsNonRoot, 'runAsNonRoot').to.equal(true);
  expect(context.runAsUser ?? podContext.runAsUser, 'numeric non-root user').to.be.a('number').above(0);
  expect(context.readOnlyRootFilesystem, 'readOnlyRootFilesystem').to.equal(true);
  expect(context.allowPrivilegeEscalation, 'allowPrivilegeEscalation').to.equal(false);
  expect(context.capabilities?.drop, 'capabilities dropped').to.deep.equal(['ALL']);
  expect((context.seccompProfile ?? podContext.seccompProfile)?.type, 'seccomp').to.equal('RuntimeDefault');
}

/** The container port number the Service's (only) port targets, resolving a named targetPort. */
function targetContainerPort(service: k8s.V1Service, deployment: k8s.V1Deployment): number | undefined {
  const target = service.spec?.ports?.[0]?.targetPort;
  if (typeof target === 'number') return target;
  const ports = deployment.spec?.template.spec?.containers.flatMap((c) => c.ports ?? []) ?? [];
  return ports.find((p) => p.name === target)?.containerPort;
}

/** Splits `kubectl get` output into cells by the header's column offsets (cells may be empty). */
function parseTable(text: string): { header: string[]; rows: Record<string, string>[] } {
  const [headerLine = '', ...lines] = text.trimEnd().split('\n');
  const starts = [...headerLine.matchAll(/\S+/g)].map((m) => m.index);
  const header = starts.map((start, i) => headerLine.slice(start, starts[i + 1]).trim());
  const rows = lines.map((line) => Object.fromEntries(header.map((name, i) => [name, line.slice(starts[i], starts[i + 1]).trim()])));
  return { header, rows };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
