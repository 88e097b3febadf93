// Reads RiskModels from the cluster for the terminal views, turning every failure into one
// sentence an operator can act on, so a view keeps running (and retrying) instead of crashing.

import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../../operator/api/riskmodel.js';
import { isNetworkError, serverMessage, TimeoutError, withTimeout } from './api-errors.js';
import { describeScope, toView, type RiskModelView, type Scope, type Snapshot } from './riskmodel-view.js';

/** The listing call the source needs; CustomObjectsApi satisfies it, tests pass fakes. */
export type RiskModelLister = Pick<CustomObjectsApi, 'listNamespacedCustomObject' | 'listClusterCustomObject'>;

export const NO_CRD_MESSAGE = "the server doesn't have a resource type riskmodels: install the CRD with kubectl apply -f crds/";

/**
 * Lists the RiskModels in `scope`, sorted by namespace then name. Rejects with the client's
 * error, or a timeout Error when the API server has not answered within `timeoutMs`.
 */
export async function listRiskModels(api: RiskModelLister, scope: Scope, timeoutMs: number): Promise<RiskModelView[]> {
  const request = scope.allNamespaces
    ? api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })
    : api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: scope.namespace, plural: PLURAL });
  const list: unknown = await withTimeout(request, timeoutMs);
  const items = typeof list === 'object' && list !== null ? (list as { items?: unknown }).items : undefined;
  return (Array.isArray(items) ? items : []).map(toView)
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/**
 * One sentence saying why listing RiskModels failed and what to do about it, for any error
 * the client can raise: a missing CRD, refused credentials or permissions, an unreachable
 * or slow API server, TLS trouble. `server` is the API server URL from the kubeconfig.
 */
export function describeListError(err: unknown, scope: Scope, server: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return describeStatus(code, serverMessage((err as { body?: unknown }).body), scope);
  if (isNetworkError(err)) {
    return `cannot reach the cluster at ${server} (${String(code)}): is it running, and is KUBECONFIG pointing at it?`;
  }
  if (err instanceof TimeoutError) return `the API server at ${server} did not answer within ${err.ms / 1000} s`;
  const message = err instanceof Error ? err.message : String(err);
  return `cannot list riskmodels from ${server}: ${message}`;
}

function describeStatus(status: number, message: string | undefined, scope: Scope): string {
  const detail = message === undefined ? '' : `: ${message}`;
  if (status === 404) return NO_CRD_MESSAGE;
  if (status === 401) return `the cluster refused our credentials (401 Unauthorized): check the user in your kubeconfig${detail}`;
  if (status === 403) return `not allowed to list riskmodels.${GROUP} in ${describeScope(scope)} (403 Forbidden)${detail}`;
  return `the API server answered ${status}${detail}`;
}

/** A function taking one snapshot of the cluster; it never rejects. */
export type SnapshotSource = () => Promise<Snapshot>;

export interface SourceOptions {
  timeoutMs: number;
  now?: () => Date;
  /** Lists through this instead of a client made from the kubeconfig (tests). */
  api?: RiskModelLister;
}

interface Connection {
  api: RiskModelLister;
  server: string;
}

/**
 * A snapshot source for `scope` on the cluster that `loadKubeConfig` describes. A failed
 * list yields a snapshot with `error` set and the models of the last successful list, so
 * views go stale rather than blank. After a network error the kubeconfig is loaded again,
 * so a local cluster restarted on a new port (with a rewritten kubeconfig) is picked up
 * without restarting the view.
 */
export function snapshotSource(loadKubeConfig: () => KubeConfig, scope: Scope, options: SourceOptions): SnapshotSource {
  const now = options.now ?? ((): Date => new Date());
  let connection: Connection | undefined;
  let lastModels: RiskModelView[] = [];
  let server = '(kubeconfig not loaded)';
  return async () => {
    try {
      connection ??= connect(loadKubeConfig(), options.api);
      server = connection.server;
      lastModels = await listRiskModels(connection.api, scope, options.timeoutMs);
      return { scope, takenAt: now(), models: lastModels };
    } catch (err) {
      if (isNetworkError(err)) connection = undefined;
      return { scope, takenAt: now(), models: lastModels, error: describeListError(err, scope, server) };
    }
  };
}

function connect(kubeConfig: KubeConfig, api: RiskModelLister | undefined): Connection {
  return {
    api: api ?? kubeConfig.makeApiClient(CustomObjectsApi),
    server: kubeConfig.getCurrentCluster()?.server ?? '(no cluster in kubeconfig)',
  };
}
