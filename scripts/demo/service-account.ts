import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { kubectl } from './kube.js';
import type { KubeTarget } from './kube.js';

interface MinifiedConfig {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
}

/**
 * Writes a kubeconfig that authenticates as `namespace/serviceAccount` with a token from the
 * TokenRequest API (valid for `hours`), reaching the same API server as `target`. Returns its
 * path. The operator then runs with exactly the permissions config/rbac grants it.
 */
export async function serviceAccountKubeconfig(
  target: KubeTarget,
  ref: { namespace: string; serviceAccount: string; hours: number },
  path: string,
): Promise<string> {
  const { stdout: token } = await kubectl(target, ['create', 'token', ref.serviceAccount, '-n', ref.namespace, `--duration=${ref.hours}h`]);
  const { stdout } = await kubectl(target, ['config', 'view', '--raw', '--minify', '--flatten', '-o', 'json']);
  const cluster = (JSON.parse(stdout) as MinifiedConfig).clusters[0];
  if (!cluster) throw new Error('the current kubeconfig has no cluster entry');
  const user = `${ref.namespace}:${ref.serviceAccount}`;
  writeFileSync(path, stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [cluster],
    users: [{ name: user, user: { token: token.trim() } }],
    contexts: [{ name: user, context: { cluster: cluster.name, user, namespace: ref.namespace } }],
    'current-context': user,
  }), { mode: 0o600 });
  return path;
}
