// A stand-in Kubernetes API server for testing the RiskModel views without a cluster: it
// answers the RiskModel list calls with a scale-up-and-down story that advances one step a
// request, or with the failures a real API server gives (no CRD, forbidden). Test support
// only; run it directly to try `npm run watch` by hand:
//   node --import tsx scripts/lib/testing/fake-riskmodel-api.ts   (prints the KUBECONFIG to use)

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type FakeApiMode = 'ok' | 'no-crd' | 'forbidden';

export interface FakeApi {
  url: string;
  /** A kubeconfig file whose current context points at this server (namespace `ward-3`). */
  kubeconfigPath: string;
  /** Requests answered so far (each advances the story one step in `ok` mode). */
  requests: () => number;
  setMode: (mode: FakeApiMode) => void;
  close: () => Promise<void>;
}

const LIST_PATH = /^\/apis\/riskmodel\.dev\/v1alpha1\/(?:namespaces\/([^/]+)\/)?riskmodels$/;

/** Replicas of the `sepsis` RiskModel at each step: load arrives, the HPA scales to max, then back. */
export const SEPSIS_STORY = [2, 2, 3, 4, 5, 5, 5, 4, 3, 2];

function condition(type: string, status: string, reason: string, message: string): Record<string, string> {
  return { type, status, reason, message, lastTransitionTime: '2026-11-27T07:00:00Z' };
}

/** The RiskModels the server lists at `step` (0-based), in namespace `ward-3`. */
export function riskModelsAt(step: number): object[] {
  const index = step % SEPSIS_STORY.length;
  const replicas = SEPSIS_STORY[index] ?? 2;
  const desired = SEPSIS_STORY[Math.min(index + 1, SEPSIS_STORY.length - 1)] ?? replicas;
  const scaling = desired !== replicas;
  return [
    {
      apiVersion: 'riskmodel.dev/v1alpha1', kind: 'RiskModel',
      metadata: { name: 'sepsis', namespace: 'ward-3', generation: 1 },
      spec: { model: { version: 'v2' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
      status: {
        observedGeneration: 1, replicas, readyReplicas: replicas, desiredReplicas: desired,
        currentCPUUtilizationPercentage: desired > replicas ? 140 : desired < replicas ? 12 : 65,
        modelVersion: 'v2-3f2a9c1',
        conditions: [
          condition('Ready', 'True', 'Available', `${replicas} of ${replicas} replicas ready`),
          condition('Progressing', scaling ? 'True' : 'False', scaling ? 'RollingOut' : 'RolloutComplete', ''),
          condition('Degraded', 'False', 'AsExpected', ''),
        ],
      },
    },
    {
      apiVersion: 'riskmodel.dev/v1alpha1', kind: 'RiskModel',
      metadata: { name: 'triage', namespace: 'ward-3', generation: 2 },
      spec: { model: { version: 'v1', configMapRef: { name: 'triage-model' } }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 60 },
      status: {
        observedGeneration: 2, replicas: 1, readyReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 8,
        modelVersion: 'v1-9bd01e7',
        conditions: [
          condition('Ready', 'True', 'Available', '1 of 1 replicas ready'),
          condition('Progressing', 'False', 'Blocked', 'see Degraded'),
          condition('Degraded', 'True', 'ConfigMapNotFound', 'ConfigMap ward-3/triage-model not found; keeping the running model'),
        ],
      },
    },
  ];
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
}

/** Starts the fake API server on 127.0.0.1 (a free port) and writes a kubeconfig for it. */
export async function startFakeApi(initialMode: FakeApiMode = 'ok'): Promise<FakeApi> {
  let mode = initialMode;
  let served = 0;
  const server: Server = createServer((req, res) => {
    const match = LIST_PATH.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (mode === 'no-crd' || match === null) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    if (mode === 'forbidden') {
      res.writeHead(403, { 'content-type': 'application/json' }).end(status(403, 'Forbidden',
        'riskmodels.riskmodel.dev is forbidden: User "viewer" cannot list resource "riskmodels" in API group "riskmodel.dev"'));
      return;
    }
    const items = riskModelsAt(served++).filter((item) => match[1] === undefined || (item as { metadata: { namespace: string } }).metadata.namespace === match[1]);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'riskmodel.dev/v1alpha1', kind: 'RiskModelList', metadata: {}, items }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'fake-riskmodel-api-')), 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigFor(url));
  return {
    url,
    kubeconfigPath,
    requests: () => served,
    setMode: (next) => { mode = next; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A kubeconfig whose current context points at `server` with namespace `ward-3`. */
export function kubeconfigFor(server: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
users:
- name: viewer
  user:
    token: fake-token
contexts:
- name: fake
  context:
    cluster: fake
    user: viewer
    namespace: ward-3
current-context: fake
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const mode = (process.argv[2] ?? 'ok') as FakeApiMode;
  const api = await startFakeApi(mode);
  console.log(`fake RiskModel API (${mode}) at ${api.url}\nKUBECONFIG=${api.kubeconfigPath} npm run watch`);
}
