// Certificates and keys for the local cluster, made with openssl: one CA, serving certificates
// for loopback and the real node's bridge address, client certificates per component identity, the front-proxy client for
// aggregated APIs (metrics-server, prometheus-adapter), and the service-account signing key pair.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The first address of the service range: the `kubernetes` Service's ClusterIP. */
export const SERVICE_CIDR = '10.96.0.0/16';
const KUBERNETES_SERVICE_IP = '10.96.0.1';
/** The real node's address on the cluster bridge (localcluster/network.ts): node IP and API server address. */
export const NODE_IP = '10.250.0.1';
/** The real node's name (localcluster/node-config.ts re-exports it). */
export const NODE_NAME = 'riskmodel-node';

export interface ClientIdentity {
  /** File stem under pki/, e.g. `admin`. */
  file: string;
  user: string;
  groups: string[];
}

/**
 * Who each component is to the API server. The controller-manager and scheduler use their
 * upstream identities, so the bootstrap RBAC roles apply to them exactly as in a real cluster.
 * kwok and metrics-server stand in for kubelets and an in-cluster add-on and run as cluster admins.
 */
export const IDENTITIES = {
  admin: { file: 'admin', user: 'kubernetes-admin', groups: ['system:masters'] },
  controllerManager: { file: 'kube-controller-manager', user: 'system:kube-controller-manager', groups: [] },
  scheduler: { file: 'kube-scheduler', user: 'system:kube-scheduler', groups: [] },
  kwok: { file: 'kwok', user: 'system:kwok-controller', groups: ['system:masters'] },
  metricsServer: { file: 'metrics-server', user: 'system:metrics-server', groups: ['system:masters'] },
  // Like metrics-server: an aggregated API server standing in for an in-cluster add-on.
  prometheusAdapter: { file: 'prometheus-adapter', user: 'system:prometheus-adapter', groups: ['system:masters'] },
  // Pod discovery only: bound to a ClusterRole that lists and watches pods (bootstrap.ts).
  prometheus: { file: 'prometheus', user: 'system:prometheus', groups: [] },
  frontProxy: { file: 'front-proxy-client', user: 'front-proxy-client', groups: [] },
  // The real node: the Node authorizer grants a kubelet exactly its own node's objects.
  kubelet: { file: 'kubelet', user: `system:node:${NODE_NAME}`, groups: ['system:nodes'] },
  // Bound to the system:node-proxier ClusterRole by the bootstrap RBAC policy.
  kubeProxy: { file: 'kube-proxy', user: 'system:kube-proxy', groups: [] },
  // What the API server shows the kubelet for logs, exec and port-forward (as kubeadm does).
  apiserverKubeletClient: { file: 'apiserver-kubelet-client', user: 'kube-apiserver-kubelet-client', groups: ['system:masters'] },
} satisfies Record<string, ClientIdentity>;

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  /** Serving certificate for the other components on 127.0.0.1 (and the service names of metrics-server and prometheus-adapter). */
  servingCert: string;
  servingKey: string;
  /** The kubelet's serving certificate (node IP and name), verified by the API server and metrics-server. */
  kubeletCert: string;
  kubeletKey: string;
  saKey: string;
  saPub: string;
  cert: (id: ClientIdentity) => string;
  key: (id: ClientIdentity) => string;
}

/** Paths of the PKI files under `dir` (whether or not they exist yet). */
export function pkiPaths(dir: string): Pki {
  const f = (name: string): string => path.join(dir, name);
  return {
    dir,
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    apiserverCert: f('apiserver.crt'),
    apiserverKey: f('apiserver.key'),
    servingCert: f('serving.crt'),
    servingKey: f('serving.key'),
    kubeletCert: f('kubelet-serving.crt'),
    kubeletKey: f('kubelet-serving.key'),
    saKey: f('sa.key'),
    saPub: f('sa.pub'),
    cert: (id) => f(`${id.file}.crt`),
    key: (id) => f(`${id.file}.key`),
  };
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed (apt-get install openssl; scripts/setup.sh does it)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Subject line for openssl: `/O=group/.../CN=user`. Escapes the slashes openssl treats specially. */
function subject(user: string, groups: string[]): string {
  const esc = (v: string): string => v.replace(/[/\\]/g, (c) => `\\${c}`);
  return [...groups.map((g) => `/O=${esc(g)}`), `/CN=${esc(user)}`].join('');
}

async function leaf(pki: Pki, out: { cert: string; key: string }, subj: string, extensions: string[]): Promise<void> {
  const config = `${out.cert}.cnf`;
  await writeFile(config, ['[req]', 'distinguished_name = dn', '[dn]', '[ext]', ...extensions, ''].join('\n'));
  await openssl(
    ['req', '-x509', '-config', config, '-extensions', 'ext', ...EC, '-keyout', out.key, '-out', out.cert,
      '-days', '365', '-subj', subj, '-CA', pki.caCert, '-CAkey', pki.caKey],
    pki.dir,
  );
  await rm(config, { force: true });
}

const SERVER_EXT = ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature, keyEncipherment', 'extendedKeyUsage = serverAuth'];
const CLIENT_EXT = ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature, keyEncipherment', 'extendedKeyUsage = clientAuth'];

/**
 * Creates the whole PKI under `dir` unless its CA already exists (idempotent per cluster).
 * Throws with openssl's message when a command fails.
 */
export async function ensurePki(dir: string): Promise<Pki> {
  const pki = pkiPaths(dir);
  if (existsSync(pki.caCert) && existsSync(pki.saPub)) return pki;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const caConfig = path.join(dir, 'ca.cnf');
  await writeFile(caConfig, ['[req]', 'distinguished_name = dn', '[dn]', '[ext]',
    'basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign, digitalSignature', 'subjectKeyIdentifier = hash', ''].join('\n'));
  await openssl(['req', '-x509', '-config', caConfig, '-extensions', 'ext', ...EC, '-keyout', pki.caKey, '-out', pki.caCert,
    '-days', '3650', '-subj', '/CN=riskmodel-localcluster-ca'], dir);
  await rm(caConfig, { force: true });
  await Promise.all([
    leaf(pki, { cert: pki.apiserverCert, key: pki.apiserverKey }, '/CN=kube-apiserver', [...SERVER_EXT,
      `subjectAltName = IP:127.0.0.1, IP:${NODE_IP}, IP:${KUBERNETES_SERVICE_IP}, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local`]),
    leaf(pki, { cert: pki.servingCert, key: pki.servingKey }, '/CN=localcluster-serving', [...SERVER_EXT,
      'subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:metrics-server.kube-system.svc, DNS:prometheus-adapter.kube-system.svc']),
    leaf(pki, { cert: pki.kubeletCert, key: pki.kubeletKey }, `/CN=system:node:${NODE_NAME}`, [...SERVER_EXT,
      `subjectAltName = IP:${NODE_IP}, DNS:${NODE_NAME}`]),
    ...Object.values(IDENTITIES).map((id) => leaf(pki, { cert: pki.cert(id), key: pki.key(id) }, subject(id.user, id.groups), CLIENT_EXT)),
    // ES256 service-account tokens: EC keys are generated in milliseconds, RSA takes seconds.
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', pki.saKey], dir),
  ]);
  await openssl(['pkey', '-in', pki.saKey, '-pubout', '-out', pki.saPub], dir);
  return pki;
}
