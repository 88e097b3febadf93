// Kubeconfig files for the admin user and for each component.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export const CONTEXT_NAME = 'riskmodel-local';

export interface KubeconfigInput {
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  user: string;
  /** Embed the certificate data (a self-contained file to hand to users) instead of file paths. */
  embed: boolean;
}

/** Renders a kubeconfig with one cluster, user and context, selected as current. */
export function renderKubeconfig(input: KubeconfigInput): string {
  const b64 = (file: string): string => readFileSync(file).toString('base64');
  const cluster = input.embed
    ? { server: input.server, 'certificate-authority-data': b64(input.caCert) }
    : { server: input.server, 'certificate-authority': input.caCert };
  const user = input.embed
    ? { 'client-certificate-data': b64(input.clientCert), 'client-key-data': b64(input.clientKey) }
    : { 'client-certificate': input.clientCert, 'client-key': input.clientKey };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster }],
    users: [{ name: input.user, user }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: input.user } }],
    'current-context': CONTEXT_NAME,
  });
}

/** Writes a kubeconfig readable only by its owner (it holds a private key). */
export async function writeKubeconfig(file: string, input: KubeconfigInput): Promise<void> {
  await writeFile(file, renderKubeconfig(input), { mode: 0o600 });
}
