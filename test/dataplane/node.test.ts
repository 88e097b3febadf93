// Needs the local cluster with its real node. Pods in a containerd container on the real node:
// logs and exec through the kubelet, Services through kube-proxy's nftables rules from the host
// and from pods, port-forward through the API server, the API server from pods through the
// `kubernetes` Service. The image is a busybox scratch image built from the host's busybox.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import http from 'node:http';
import { expect } from 'chai';
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { importIntoNode } from '../../localcluster/cluster.js';
import { BRIDGE } from '../../localcluster/network.js';
import { REAL_NODE_NAME } from '../../localcluster/node-config.js';
import { BUSYBOX_HTTP_PORT, ensureBusyboxImage } from '../support/busybox-image.js';
import { ensureCluster, freshNamespace, kubectl, kubectlOk, realNode, releaseNamespace, waitFor } from '../support/cluster.js';
import { portForwardService } from '../support/port-forward.js';
import { GiveUp } from '../../localcluster/wait.js';

const run = promisify(execFile);

/** A Deployment of the busybox image that meets Pod Security `restricted`. */
function webDeployment(name: string, image: string, replicas: number): V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'web',
            image,
            imagePullPolicy: 'Never',
            ports: [{ containerPort: BUSYBOX_HTTP_PORT }],
            readinessProbe: { httpGet: { path: '/', port: BUSYBOX_HTTP_PORT }, periodSeconds: 1 },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
          }],
        },
      },
    },
  };
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

describe('real node: pods, logs, exec and Service traffic', function () {
  this.timeout(5 * 60_000);
  let kc: KubeConfig;
  let core: CoreV1Api;
  let namespace: string;
  let pods: V1Pod[];
  let clusterIp: string;

  before(async function () {
    ({ kc } = await ensureCluster());
    const node = await realNode();
    if (!node.available) {
      console.log(`      skipped: ${node.reason}`);
      // Only on a machine without a real node, outside CI: under CI realNode() throws instead (test/support/cluster.ts).
      this.skip();
    }
    core = kc.makeApiClient(CoreV1Api);
    const image = await ensureBusyboxImage();
    await importIntoNode([image]);
    namespace = await freshNamespace(kc, 'node', { 'pod-security.kubernetes.io/enforce': 'restricted' }, { placement: 'real-node' });
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace, body: webDeployment('web', image.ref, 2) });
    const service = await core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: BUSYBOX_HTTP_PORT }] } },
    });
    clusterIp = service.spec?.clusterIP ?? '';
    pods = await waitFor(async () => {
      const list = (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items;
      const ready = list.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 2 && ready;
    }, { timeoutMs: 120_000, what: '2 Ready pods of deployment web on the real node' });
  });

  after(async function () {
    this.timeout(180_000);
    if (namespace) await releaseNamespace(kc, namespace);
  });

  it('has the real node Ready with a containerd runtime, and the kwok nodes Ready too', async () => {
    const nodes = (await core.listNode()).items;
    const ready = (n: (typeof nodes)[number]): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const real = nodes.find((n) => n.metadata?.name === REAL_NODE_NAME);
    expect(real && ready(real), `${REAL_NODE_NAME} Ready`).to.be.true;
    expect(real?.status?.nodeInfo?.containerRuntimeVersion).to.match(/^containerd:\/\/1\./);
    expect(real?.status?.nodeInfo?.kubeletVersion).to.equal('v1.37.2');
    const kwok = nodes.filter((n) => n.metadata?.annotations?.['kwok.x-k8s.io/node'] === 'fake');
    expect(kwok).to.have.length.of.at.least(3);
    expect(kwok.every(ready)).to.be.true;
  });

  it('runs the pods on the real node in containerd containers, admitted by Pod Security restricted', () => {
    for (const pod of pods) {
      expect(pod.spec?.nodeName).to.equal(REAL_NODE_NAME);
      expect(pod.status?.containerStatuses?.[0]?.containerID).to.match(/^containerd:\/\/[0-9a-f]{64}$/);
      expect(pod.status?.podIP).to.match(/^10\.250\.0\.\d+$/);
    }
  });

  it('shows a container\'s output with kubectl logs and runs commands in it with kubectl exec', async () => {
    const name = pods[0]?.metadata?.name ?? '';
    expect(await kubectlOk(['logs', '-n', namespace, name])).to.include(`serving on ${BUSYBOX_HTTP_PORT}`);
    expect((await kubectlOk(['exec', '-n', namespace, name, '--', 'id', '-u'])).trim()).to.equal('65534');
    expect((await kubectlOk(['exec', '-n', namespace, name, '--', 'cat', '/tmp/www/index.html'])).trim()).to.equal(name);
  });

  it('answers on the Service ClusterIP from the host, spreading requests over both ready pods', async () => {
    // kube-proxy programs a Ready pod's endpoint a moment after it turns Ready (seen under load): ask for up to 15 s.
    const seen = new Set<string>();
    const bothAnswered = async (): Promise<boolean> => {
      const res = await get(`http://${clusterIp}/`);
      if (res.status !== 200) throw new GiveUp(`the ClusterIP answered ${res.status}: ${res.body}`);
      seen.add(res.body.trim());
      return seen.size === 2;
    };
    await waitFor(bothAnswered, { what: 'answers from both pods', timeoutMs: 15_000, intervalMs: 0 }).catch((err: unknown) => {
      if (err instanceof GiveUp) throw err;
    });
    expect([...seen].sort()).to.deep.equal(pods.map((p) => p.metadata?.name).sort());
  });

  it('answers on the Service ClusterIP from inside a pod', async () => {
    const out = await kubectlOk(['exec', '-n', namespace, pods[0]?.metadata?.name ?? '', '--', 'wget', '-q', '-O', '-', `http://${clusterIp}/`]);
    expect(pods.map((p) => p.metadata?.name)).to.include(out.trim());
  });

  it('reaches the API server from a pod through the kubernetes Service', async () => {
    // busybox's nc exits 0 once the TCP connection to the API server (through kube-proxy's DNAT) is open.
    const open = await kubectl(['exec', '-n', namespace, pods[0]?.metadata?.name ?? '', '--', 'sh', '-c', 'echo | nc -w 3 10.96.0.1 443']);
    expect(open.code, open.stderr).to.equal(0);
    // A Service IP with no Service behind it stays unanswered: the connection is not made elsewhere.
    const closed = await kubectl(['exec', '-n', namespace, pods[0]?.metadata?.name ?? '', '--', 'sh', '-c', 'echo | nc -w 2 10.96.255.254 443']);
    expect(closed.code).to.not.equal(0);
    const endpoints = await kubectlOk(['get', 'endpointslices', '-n', 'default', '-l', 'kubernetes.io/service-name=kubernetes', '-o', 'jsonpath={.items[*].endpoints[*].addresses[*]}']);
    expect(endpoints.trim()).to.equal('10.250.0.1');
  });

  it('routes the pod and Service ranges to the cluster bridge on the host, never the default route', async () => {
    for (const address of [pods[0]?.status?.podIP ?? '', clusterIp, '10.250.0.99', '10.96.255.254']) {
      const { stdout } = await run('ip', ['-j', 'route', 'get', address]);
      const [route] = JSON.parse(stdout) as { dev: string; gateway?: string }[];
      expect(route?.dev, `route to ${address}`).to.equal(BRIDGE);
      expect(route?.gateway, `route to ${address}`).to.be.undefined;
    }
  });

  it('gives pods no default route: only the node subnet and the Service range', async () => {
    const table = await kubectlOk(['exec', '-n', namespace, pods[0]?.metadata?.name ?? '', '--', 'cat', '/proc/net/route']);
    const destinations = table.trim().split('\n').slice(1).map((line) => line.split(/\s+/)[1]);
    expect(destinations).to.not.include('00000000');
    // /proc/net/route writes addresses as little-endian hex: 10.250.0.0 and 10.96.0.0.
    expect(destinations).to.have.members(['0000FA0A', '0000600A']);
  });

  it('answers through kubectl port-forward svc/web', async () => {
    const { port, stop } = await portForwardService(namespace, 'web');
    try {
      const res = await get(`http://127.0.0.1:${port}/`);
      expect(res.status).to.equal(200);
      expect(pods.map((p) => p.metadata?.name)).to.include(res.body.trim());
    } finally {
      stop();
    }
  });
});
