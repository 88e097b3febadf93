// Where the API server is and how to authenticate. The common cases — a kubeconfig with client
// certificates, a bearer token or a token file, and in-cluster service-account credentials —
// are read here directly; anything else (exec plugins, auth providers, several kubeconfig
// files to merge) goes through @kubernetes/client-node, imported only then: its generated API
// code costs ~75 MB of resident memory, half the operator's memory budget.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { messageOf } from '../messages.js';

export type TlsOptions = Pick<https.AgentOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;

export interface Credentials {
  server: string;
  tls: TlsOptions;
  /** Authorization headers for the next request (tokens from files are re-read as they rotate). */
  headers(): Promise<Record<string, string>>;
  /** Where they came from, for logs. */
  source: string;
}

export interface CredentialSources {
  /** Kubeconfig files in precedence order (--kubeconfig, else $KUBECONFIG, else ~/.kube/config). */
  kubeconfigFiles: string[];
  /** https://host:port of the in-cluster API server, when running in a pod. */
  inClusterServer: string | undefined;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const TOKEN_REREAD_MS = 60_000;

interface NamedEntry<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

interface KubeconfigFile {
  'current-context'?: string;
  clusters?: NamedEntry<Record<string, unknown>>[];
  users?: NamedEntry<Record<string, unknown>>[];
  contexts?: NamedEntry<{ cluster?: string; user?: string }>[];
}

/** Reads a token file, caching it for a minute so rotation is picked up without a read per request. */
function tokenFileHeaders(file: string): () => Promise<Record<string, string>> {
  let cached: { at: number; token: string } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > TOKEN_REREAD_MS) cached = { at: Date.now(), token: readFileSync(file, 'utf8').trim() };
    return Promise.resolve({ Authorization: `Bearer ${cached.token}` });
  };
}

function fileOrData(entry: Record<string, unknown>, field: string, dir: string): Buffer | undefined {
  const data = entry[`${field}-data`];
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  const file = entry[field];
  return typeof file === 'string' ? readFileSync(path.resolve(dir, file)) : undefined;
}

function find<T>(list: NamedEntry<T>[] | undefined, name: string | undefined, what: string, file: string): T {
  const entry = list?.find((e) => e.name === name);
  const value = entry?.[what] as T | undefined;
  if (!value) throw new Error(`kubeconfig ${file}: no ${what} named ${JSON.stringify(name)}`);
  return value;
}

/** Credentials from one kubeconfig file, or undefined when it needs client-node (exec or auth-provider users). */
export function fromKubeconfigFile(file: string): Credentials | undefined {
  const doc = parse(readFileSync(file, 'utf8')) as KubeconfigFile;
  const dir = path.dirname(file);
  const context = find(doc.contexts, doc['current-context'], 'context', file);
  const cluster = find(doc.clusters, context.cluster, 'cluster', file);
  const user = context.user ? find(doc.users, context.user, 'user', file) : {};
  if (user.exec || user['auth-provider']) return undefined;
  const tls: TlsOptions = { ca: fileOrData(cluster, 'certificate-authority', dir), cert: fileOrData(user, 'client-certificate', dir), key: fileOrData(user, 'client-key', dir) };
  if (cluster['insecure-skip-tls-verify'] === true) tls.rejectUnauthorized = false;
  if (typeof cluster['tls-server-name'] === 'string') tls.servername = cluster['tls-server-name'];
  return { server: String(cluster.server), tls, headers: userHeaders(user, dir), source: `kubeconfig ${file}` };
}

function userHeaders(user: Record<string, unknown>, dir: string): () => Promise<Record<string, string>> {
  if (typeof user.token === 'string') {
    const headers = { Authorization: `Bearer ${user.token}` };
    return () => Promise.resolve(headers);
  }
  if (typeof user.tokenFile === 'string') return tokenFileHeaders(path.resolve(dir, user.tokenFile));
  const headers: Record<string, string> = {};
  if (typeof user.username === 'string') {
    const password = typeof user.password === 'string' ? user.password : '';
    headers.Authorization = `Basic ${Buffer.from(`${user.username}:${password}`).toString('base64')}`;
  }
  return () => Promise.resolve(headers);
}


function inCluster(server: string): Credentials {
  return {
    server,
    tls: { ca: readFileSync(`${SERVICE_ACCOUNT_DIR}/ca.crt`) },
    headers: tokenFileHeaders(`${SERVICE_ACCOUNT_DIR}/token`),
    source: 'in-cluster service account',
  };
}

/** Credentials through client-node (any auth it supports). */
async function fromClientNode(kc: KubeConfig): Promise<Credentials> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster (check KUBECONFIG or --kubeconfig)');
  const probe: https.RequestOptions = {};
  try {
    await kc.applyToHTTPSOptions(probe);
  } catch (err) {
    throw new Error(`cannot use the API server ${cluster.server} of kubeconfig context "${kc.getCurrentContext()}" (set KUBECONFIG or --kubeconfig): ${messageOf(err)}`);
  }
  const { ca, cert, key, rejectUnauthorized, servername } = probe;
  const headers = async () => {
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') out[k] = v;
    if (opts.auth) out.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    return out;
  };
  return { server: cluster.server, tls: { ca, cert, key, servername, ...(rejectUnauthorized === undefined ? {} : { rejectUnauthorized }) }, headers, source: `kubeconfig context ${kc.getCurrentContext()} (client-node)` };
}

/**
 * Credentials in client-node's order: the first kubeconfig file that exists, else the in-cluster
 * service account. Throws with what to set when there are none.
 */
export async function loadCredentials(sources: CredentialSources): Promise<Credentials> {
  const files = sources.kubeconfigFiles.filter((f) => existsSync(f));
  if (files.length === 1) {
    const direct = fromKubeconfigFile(files[0] ?? '');
    if (direct) return direct;
  }
  if (files.length > 0) {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    if (files.length === 1) kc.loadFromFile(files[0] ?? '');
    else kc.loadFromDefault();
    return fromClientNode(kc);
  }
  if (sources.inClusterServer) return inCluster(sources.inClusterServer);
  throw new Error(`no Kubernetes credentials: none of ${sources.kubeconfigFiles.join(', ') || '(no kubeconfig files)'} exists and this is not a pod; set KUBECONFIG or --kubeconfig`);
}
