// Needs the local cluster with its real node and the images `npm run images` built. A RiskModel
// reconciled by the operator runs the inference image as real pods: containerd containers
// admitted by Pod Security `restricted`, the server's own "listening" log line, predictions through
// the Service's ClusterIP and through port-forward, real CPU in the metrics API under load.
import http from 'node:http';
import { expect } from 'chai';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { REAL_NODE_NAME } from '../../localcluster/node-config.js';
import { patientSource } from '../../inference/generator.js';
import { requestBody } from '../../scripts/lib/vitals.js';
import { ensureCluster, kubectlOk, releaseNamespace, waitFor } from '../support/cluster.js';
import { inferenceImageOnNode } from '../support/inference-image.js';
import { portForwardService } from '../support/port-forward.js';
import { waitServiceAnswers } from './delivery.js';
import { LABELS } from '../operator/harness/api.js';
import { riskModel } from '../operator/harness/fixtures.js';
import { useTestbed } from '../operator/harness/testbed.js';

const NAME = 'risk';

function post(url: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text || '{}') as Record<string, unknown> }));
    });
    req.on('timeout', () => req.destroy(new Error(`POST ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function expectPrediction(res: { status: number; json: Record<string, unknown> }): void {
  expect(res.status, JSON.stringify(res.json)).to.equal(200);
  expect(res.json.risk).to.be.a('string');
  expect(res.json.confidence).to.be.a('number').within(0, 1);
}

/** Millicores the metrics API reports per pod of the namespace. */
async function podCpu(namespace: string): Promise<Record<string, number>> {
  const list = JSON.parse(await kubectlOk(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods`])) as {
    items: { metadata: { name: string }; containers: { usage: { cpu: string } }[] }[];
  };
  const milli = (q: string): number => (q.endsWith('n') ? Number(q.slice(0, -1)) / 1e6 : q.endsWith('u') ? Number(q.slice(0, -1)) / 1e3 : q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
  return Object.fromEntries(list.items.map((p) => [p.metadata.name, p.containers.reduce((s, c) => s + milli(c.usage.cpu), 0)]));
}

describe('real node: a RiskModel\'s pods run the inference image', function () {
  this.timeout(8 * 60_000);
  const bed = useTestbed({ placement: 'real-node', namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
  let pods: V1Pod[];
  let clusterIp: string;
  let image: string;

  after(async function () {
    this.timeout(180_000);
    // Free the real node's CPU requests for the next file.
    if (bed.namespace) await releaseNamespace((await ensureCluster()).kc, bed.namespace);
  });

  before(async function () {
    image = await inferenceImageOnNode(this);
    // The operator's default image for RiskModels without spec.image: the one just imported.
    await bed.startOperator({ extraEnv: { INFERENCE_IMAGE: image } });
    await bed.cluster.custom.createNamespacedCustomObject({ group: 'riskmodel.dev', version: 'v1alpha1', namespace: bed.namespace, plural: 'riskmodels', body: riskModel(bed.namespace, NAME) });
    await bed.waitForReady(NAME, 180_000);
    const core = bed.cluster.kc.makeApiClient(CoreV1Api);
    pods = (await core.listNamespacedPod({ namespace: bed.namespace, labelSelector: `${LABELS.instance}=${NAME}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
    clusterIp = (await core.readNamespacedService({ name: NAME, namespace: bed.namespace })).spec?.clusterIP ?? '';
  });

  it('runs its pods on the real node from the imported image, in containerd containers admitted by restricted Pod Security', () => {
    expect(pods).to.have.length(2);
    for (const pod of pods) expectRealNodePod(pod, image);
  });

  it('shows the inference server\'s JSON "listening" line in kubectl logs', async () => {
    const lines = (await kubectlOk(['logs', '-n', bed.namespace, pods[0]?.metadata?.name ?? ''])).trim().split('\n');
    const listening = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.message === 'listening');
    expect(listening, lines.join('\n')).to.exist;
    expect(listening?.port).to.be.a('number');
  });

  it('answers POST /predict through the Service ClusterIP', async () => {
    // Ready pods can precede kube-proxy's endpoints by a moment (a refused connection, seen once).
    await waitServiceAnswers(new URL(`http://${clusterIp}`));
    expectPrediction(await post(`http://${clusterIp}/predict`, requestBody(patientSource(7), undefined)));
  });

  it('answers POST /predict through kubectl port-forward svc/NAME', async () => {
    const { port, stop } = await portForwardService(bed.namespace, NAME);
    try {
      expectPrediction(await post(`http://127.0.0.1:${port}/predict`, requestBody(patientSource(8), undefined)));
    } finally {
      stop();
    }
  });

  it('reports the pods\' real CPU in the metrics API while requests load them', async () => {
    const idle = await waitFor(async () => {
      const cpu = await podCpu(bed.namespace);
      return Object.keys(cpu).length === 2 && cpu;
    }, { timeoutMs: 60_000, what: 'metrics for both pods' });
    let stop = false;
    const next = patientSource(9);
    const worker = async (): Promise<void> => {
      while (!stop) await post(`http://${clusterIp}/predict`, requestBody(next, undefined)).catch(() => undefined);
    };
    const load = Array.from({ length: 8 }, worker);
    try {
      const busy = await waitFor(async () => {
        const cpu = await podCpu(bed.namespace);
        return Object.values(cpu).some((m) => m >= 50) && cpu;
      }, { timeoutMs: 60_000, intervalMs: 2000, what: 'a pod above 50m CPU under load' });
      console.log(`      CPU idle ${JSON.stringify(idle)} -> under load ${JSON.stringify(busy)} (millicores)`);
      const top = await kubectlOk(['top', 'pods', '-n', bed.namespace, '--no-headers']);
      expect(top.trim().split('\n')).to.have.length(2);
    } finally {
      stop = true;
      await Promise.all(load);
    }
  });
});

/** A ready pod on the real node whose first container runs `image` in containerd. */
function expectRealNodePod(pod: V1Pod, image: string): void {
  expect(pod.spec?.nodeName).to.equal(REAL_NODE_NAME);
  expect(pod.spec?.containers[0]?.image).to.equal(image);
  expect(pod.status?.containerStatuses?.[0]?.containerID).to.match(/^containerd:\/\/[0-9a-f]{64}$/);
  expect(pod.status?.containerStatuses?.[0]?.ready).to.be.true;
}
