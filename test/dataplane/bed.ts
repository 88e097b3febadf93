// One data-plane test file's world on the real node: the project's images built and imported,
// the CRD, a fresh namespace whose pods land on the real node (Pod Security `restricted`), and an
// operator (from source, as the cluster admin) whose RiskModels run the inference image. Files
// skip with the reason when the cluster has no real node. Benchmarks open the same world with
// openRealNodeBed and closeRealNodeBed, outside mocha.
import type * as k8s from '@kubernetes/client-node';
import { loadConfig } from '../../localcluster/config.js';
import { imagesOnNode, type NodeImages } from '../../localcluster/images/on-node.js';
import { Cluster, isReady, LABELS, type RiskModel, type RiskModelSpec } from '../operator/harness/api.js';
import { modelConfigMap, riskModel } from '../operator/harness/fixtures.js';
import { OperatorProcess } from '../../scripts/lib/operator-process.js';
import { installCrd } from '../operator/harness/testbed.js';
import * as support from '../support/cluster.js';

export interface RealNodeBed {
  cluster: Cluster;
  namespace: string;
  images: NodeImages;
  operator: OperatorProcess;
}

/** Declares the file's hooks (call at the top of a describe) and returns the bed `before` fills in. */
/** `operatorEnv`: settings of the bed's operator (its environment variables, operator/config.ts) beside the bed's own. */
export function useRealNodeBed(prefix: string, operatorEnv: Readonly<Record<string, string>> = {}): RealNodeBed {
  const bed = {} as RealNodeBed;
  before(async function () {
    this.timeout(20 * 60_000);
    const node = await openRealNodeBed(bed, prefix, (line) => console.log(`      ${line}`), operatorEnv);
    if (!node.available) {
      console.log(`      skipped: ${node.reason}`);
      // Only on a machine without a real node, outside CI: under CI realNode() throws instead (test/support/cluster.ts).
      this.skip();
    }
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && bed.operator) console.log(bed.operator.dump());
  });
  after(async function () {
    this.timeout(180_000);
    await closeRealNodeBed(bed);
  });
  return bed;
}

/**
 * Fills `bed` outside any test framework (the benchmarks use it too): the local cluster (started
 * if none runs), the images on the node, the CRD, a fresh namespace and the operator. Field by
 * field, so closeRealNodeBed releases what a failure or Ctrl-C left half done. Resolves with the
 * reason, leaving `bed` empty, when the cluster has no real node; may throw.
 */
export async function openRealNodeBed(bed: RealNodeBed, prefix: string, log: (line: string) => void, operatorEnv: Readonly<Record<string, string>> = {}): Promise<{ available: true } | { available: false; reason: string }> {
  const { kubeconfigPath, kc } = await support.ensureCluster();
  const node = await support.realNode();
  if (!node.available) return node;
  bed.images = await imagesOnNode(loadConfig(), (line) => log(`[images] ${line}`));
  await installCrd();
  bed.cluster = new Cluster(kubeconfigPath);
  bed.namespace = await support.freshNamespace(kc, prefix, { 'pod-security.kubernetes.io/enforce': 'restricted' }, { placement: 'real-node' });
  bed.operator = OperatorProcess.spawn({
    kubeconfig: kubeconfigPath, namespaces: [bed.namespace], podName: `${bed.namespace}-operator`, resyncSeconds: 20,
    extraEnv: { INFERENCE_IMAGE: bed.images.inference, ...operatorEnv },
  });
  await bed.operator.started();
  return node;
}

/** Stops the bed's operator and deletes its namespace, waiting until its pods are gone. Safe on a half-filled bed. */
export async function closeRealNodeBed(bed: Partial<RealNodeBed>): Promise<void> {
  await bed.operator?.kill();
  // Free the real node's CPU requests for the next file.
  if (bed.namespace) await support.releaseNamespace((await support.ensureCluster()).kc, bed.namespace);
}

/** Creates or replaces the model ConfigMap `name` with `artifact`. */
export async function putModel(bed: RealNodeBed, name: string, artifact: string): Promise<void> {
  const body = modelConfigMap(bed.namespace, name, artifact);
  try {
    await bed.cluster.core.replaceNamespacedConfigMap({ namespace: bed.namespace, name, body });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await bed.cluster.core.createNamespacedConfigMap({ namespace: bed.namespace, body });
  }
}

/** Creates a RiskModel serving the model in ConfigMap `configMap`. */
export function createRiskModel(bed: RealNodeBed, name: string, configMap: string, spec: Partial<RiskModelSpec> = {}): Promise<RiskModel> {
  return bed.cluster.createRiskModel(riskModel(bed.namespace, name, { model: { version: 'v1', configMapRef: { name: configMap } }, ...spec }));
}

/** Waits for Ready at the current generation with `replicas` ready pods. */
export function waitReady(bed: RealNodeBed, name: string, replicas: number, timeoutMs = 180_000): Promise<RiskModel> {
  return support.waitFor(async () => {
    const rm = await bed.cluster.getRiskModel(bed.namespace, name);
    return isReady(rm) && rm.status?.readyReplicas === replicas && rm;
  }, { timeoutMs, intervalMs: 1000, what: `RiskModel ${name} Ready with ${replicas} ready pods` });
}

/** The RiskModel's Service as a URL on its ClusterIP (routed to the cluster bridge). */
export async function serviceUrl(bed: RealNodeBed, name: string): Promise<URL> {
  const svc = await bed.cluster.core.readNamespacedService({ namespace: bed.namespace, name });
  return new URL(`http://${svc.spec?.clusterIP}:${svc.spec?.ports?.[0]?.port ?? 80}`);
}

/** The RiskModel's pods that are not being deleted. */
export async function livePods(bed: RealNodeBed, name: string): Promise<k8s.V1Pod[]> {
  return (await bed.cluster.core.listNamespacedPod({ namespace: bed.namespace, labelSelector: `${LABELS.instance}=${name}` })).items;
}

/** POST /predict of a typical patient: the status and, on 200, the answering model's version. */
export async function predictOnce(url: URL): Promise<{ status: number; modelVersion?: string }> {
  const res = await fetch(new URL('/predict', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ heartRate: 80, systolicBP: 120, diastolicBP: 80, temperature: 37, oxygenSaturation: 97 }),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await res.json()) as { modelVersion?: string };
  return { status: res.status, ...(body.modelVersion ? { modelVersion: body.modelVersion } : {}) };
}

/**
 * Faulty model artifacts, next to the helpers that deploy them (pure; they live in
 * test/support so unit tests can use them without this file's cluster imports):
 * smokeFailingArtifact(good) serves NaN for every patient, so the server's smoke prediction
 * refuses it; errorProneArtifact(good) passes the smoke prediction and answers 500 to
 * other patients.
 */
export { errorProneArtifact, smokeFailingArtifact } from '../../scripts/lib/faulty-artifacts.js';
