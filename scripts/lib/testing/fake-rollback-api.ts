// A stand-in Kubernetes API server for testing `npm run rollback` without a cluster: it
// serves one RiskModel and its snapshot ConfigMaps, applies the merge and JSON patches the
// command sends to spec.model.revision the way the API server does (a stale resourceVersion
// is a 409, a failed `test` a 422), and records every patch. Test support only.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigFor } from './fake-riskmodel-api.js';

export interface RecordedPatch {
  contentType: string;
  fieldManager: string | null;
  body: unknown;
}

export interface FakeRollbackApi {
  /** A kubeconfig whose current context points at this server (namespace `ward-3`). */
  kubeconfigPath: string;
  patches: RecordedPatch[];
  /** The RiskModel as stored now. */
  riskModel: () => Record<string, unknown>;
  /** Changes the stored resourceVersion once before the next patch, as an operator status write would. */
  raceNextPatch: () => void;
  /** Sets spec.model.revision to `revision` once before the next patch, as someone else's pin would. */
  repinNextPatch: (revision: number) => void;
  close: () => Promise<void>;
}

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> };
type Stored = Obj & { spec: { model: Record<string, unknown> } };

const RM_PATH = /^\/apis\/riskmodel\.dev\/v1alpha1\/namespaces\/([^/]+)\/riskmodels(?:\/([^/]+))?$/;
const CM_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps$/;

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function failure(code: number, reason: string, message: string, details: object = {}): object {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, details, code };
}

function matches(labels: Record<string, string>, selector: string): boolean {
  return selector.split(',').filter(Boolean).every((term) => {
    const [key, value] = term.split('=');
    return key !== undefined && labels[key] === value;
  });
}

/** Applies a merge patch of spec.model.revision to `next`; a refusal when its resourceVersion is stale. */
function mergePatch(next: Stored, body: unknown): [number, unknown] | undefined {
  const patch = body as { metadata?: { resourceVersion?: string }; spec?: { model?: { revision?: number } } };
  const expected = patch.metadata?.resourceVersion;
  if (expected !== undefined && expected !== next.metadata.resourceVersion) {
    return [409, failure(409, 'Conflict', 'Operation cannot be fulfilled on riskmodels.riskmodel.dev "x": the object has been modified; please apply your changes to the latest version and try again')];
  }
  next.spec.model.revision = patch.spec?.model?.revision;
  return undefined;
}

/** Applies JSON patch `test` and `remove` operations to `next`; a refusal when a test fails. */
function jsonPatch(next: Stored, body: unknown): [number, unknown] | undefined {
  for (const op of body as { op: string; value?: unknown }[]) {
    if (op.op === 'test' && next.spec.model.revision !== op.value) {
      // What kube-apiserver answers for a failed test: a bare 422 without details.
      return [422, failure(422, 'Invalid', 'the server rejected our request due to an error in our request')];
    }
    if (op.op === 'remove') delete next.spec.model.revision;
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return JSON.parse(text) as unknown;
}

export interface FakeOptions {
  /** Answer a merge patch of spec.model.revision as a server whose CRD lacks the field, under Strict validation. */
  crdWithoutRevision?: boolean;
}

/** Starts the fake on 127.0.0.1 (a free port) serving `riskModel` and `configMaps` in namespace ward-3. */
export async function startFakeRollbackApi(riskModel: Obj, configMaps: Obj[], options: FakeOptions = {}): Promise<FakeRollbackApi> {
  let stored = structuredClone(riskModel);
  let version = 100;
  let change: ((object: Stored) => void) | undefined;
  const patches: RecordedPatch[] = [];
  stored.metadata.resourceVersion = String(version);

  const applyPatch = (contentType: string, body: unknown): [number, unknown] => {
    if (change !== undefined) {
      change(stored as Stored);
      change = undefined;
      stored.metadata.resourceVersion = String(++version);
    }
    const next = structuredClone(stored) as Stored;
    if (options.crdWithoutRevision) {
      return [422, failure(422, 'Invalid', `RiskModel.riskmodel.dev "x" is invalid: patch: Invalid value: "${JSON.stringify(stored).replaceAll('"', '\\"')}": strict decoding error: unknown field "spec.model.revision"`)];
    }
    const refusal = contentType === 'application/merge-patch+json' ? mergePatch(next, body) : jsonPatch(next, body);
    if (refusal !== undefined) return refusal;
    next.metadata.resourceVersion = String(++version);
    stored = next;
    return [200, stored];
  };

  const serveRiskModel = (req: IncomingMessage, res: ServerResponse, url: URL, [namespace, name]: [string, string | undefined]): void => {
    const fieldManager = url.searchParams.get('fieldManager');
    const here = stored.metadata.namespace === namespace;
    if (name === undefined) return send(res, 200, { kind: 'RiskModelList', apiVersion: 'riskmodel.dev/v1alpha1', metadata: {}, items: here ? [stored] : [] });
    if (!here || stored.metadata.name !== name) {
      return send(res, 404, failure(404, 'NotFound', `riskmodels.riskmodel.dev "${name}" not found`, { name, group: 'riskmodel.dev', kind: 'riskmodels' }));
    }
    if (req.method === 'GET') return send(res, 200, stored);
    const contentType = req.headers['content-type'] ?? '';
    void readBody(req).then((body) => {
      patches.push({ contentType, fieldManager, body });
      const [code, answer] = applyPatch(contentType, body);
      send(res, code, answer);
    });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const rm = RM_PATH.exec(url.pathname);
    const cm = CM_PATH.exec(url.pathname);
    if (cm !== null) {
      const selector = url.searchParams.get('labelSelector') ?? '';
      send(res, 200, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items: configMaps.filter((c) => c.metadata.namespace === cm[1] && matches(c.metadata.labels as Record<string, string>, selector)) });
    } else if (rm === null) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
    } else {
      serveRiskModel(req, res, url, [rm[1] ?? '', rm[2]]);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'fake-rollback-api-')), 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  return {
    kubeconfigPath,
    patches,
    riskModel: () => structuredClone(stored),
    raceNextPatch: () => { change = () => undefined; },
    repinNextPatch: (revision) => { change = (object) => { object.spec.model.revision = revision; }; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
