// `npm run rollback -- NAME`: pins a RiskModel to its previous model revision (or a named
// one, or removes the pin) by patching spec.model.revision; the operator does the rest. The
// decisions are in lib/rollback-target.ts; this file only reads and writes the cluster.
// Exit status: 0 done or nothing to change, 1 refused (no such RiskModel or revision, an API
// error), 2 bad usage or an unreadable kubeconfig.

import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describeApiError, serverMessage, statusCodeOf, withTimeout } from './lib/api-errors.js';
import { commandOptions } from './lib/args.js';
import { NO_CRD_MESSAGE } from './lib/riskmodel-source.js';
import { parseRollbackArgs, ROLLBACK_HELP, type RollbackOptions } from './lib/rollback-options.js';
import {
  alreadyPinnedMessage, chooseTarget, notPinnedMessage, pinnedMessage, pinPatch, readRollbackState, unpinnedMessage, unpinPatch,
  type RollbackState,
} from './lib/rollback-target.js';
import { GROUP, PLURAL, VERSION } from '../operator/api/riskmodel.js';
import { messageOf } from '../operator/messages.js';
import { snapshotSelector } from '../operator/delivery/snapshots.js';

const FIELD_MANAGER = 'riskmodel-rollback';
const TIMEOUT_MS = 15_000;
// A write that loses a race with the operator's status writes (409) is decided again on fresh state.
const ATTEMPTS = 3;

/** A failure whose message is for the user as is (exit 1). */
class RollbackError extends Error {}

interface Cluster {
  objects: CustomObjectsApi;
  core: CoreV1Api;
  server: string;
  namespace: string;
  name: string;
}

async function main(argv: readonly string[]): Promise<number> {
  let kubeConfig: KubeConfig;
  const options = commandOptions('rollback', () => parseRollbackArgs(argv), ROLLBACK_HELP);
  if ('exitCode' in options) return options.exitCode;
  try {
    kubeConfig = loadKubeConfig(options.kubeconfig);
  } catch (err) {
    console.error(`rollback: cannot read the kubeconfig${options.kubeconfig === undefined ? '' : ` ${options.kubeconfig}`}: ${messageOf(err)}`);
    return 2;
  }
  const cluster = connect(kubeConfig, options);
  try {
    const done = options.unpin ? await withRetries(() => unpin(cluster), UNPIN_RACE) : await withRetries(() => pin(cluster, options.toRevision), PIN_RACE);
    process.stdout.write(`${done}\n`);
    return 0;
  } catch (err) {
    console.error(`rollback: ${err instanceof RollbackError ? err.message : describeApiError(err, `change riskmodel/${cluster.name} in namespace ${cluster.namespace}`, cluster.server)}`);
    return 1;
  }
}

// --kubeconfig PATH, else $KUBECONFIG, else ~/.kube/config, else in-cluster, like kubectl. Throws on an unreadable file.
function loadKubeConfig(path: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path === undefined) kubeConfig.loadFromDefault();
  else kubeConfig.loadFromFile(path);
  return kubeConfig;
}

function connect(kubeConfig: KubeConfig, options: RollbackOptions): Cluster {
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return {
    objects: kubeConfig.makeApiClient(CustomObjectsApi),
    core: kubeConfig.makeApiClient(CoreV1Api),
    server: kubeConfig.getCurrentCluster()?.server ?? '(no cluster in kubeconfig)',
    namespace: options.namespace ?? contextNamespace ?? 'default',
    name: options.name,
  };
}

/** Runs `step` again (on fresh state) when its write lost a race, as `lostRace` tells. */
async function withRetries(step: () => Promise<string>, lostRace: (err: unknown) => boolean): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (attempt >= ATTEMPTS || !lostRace(err)) throw err;
    }
  }
}

// A stale resourceVersion is a 409. A failed JSON patch `test` is a bare 422 ("the server
// rejected our request due to an error in our request", no details), so for the unpin any 422
// is decided again: a fresh read either shows the pin changed or fails the same way.
const PIN_RACE = (err: unknown): boolean => statusCodeOf(err) === 409;
const UNPIN_RACE = (err: unknown): boolean => statusCodeOf(err) === 409 || statusCodeOf(err) === 422;

async function pin(cluster: Cluster, toRevision: number | undefined): Promise<string> {
  const state = await readState(cluster);
  const choice = chooseTarget(state, toRevision);
  if (!choice.ok) throw new RollbackError(choice.message);
  if (state.pinned === choice.target.revision) return alreadyPinnedMessage(state, choice.target);
  const patched = await withTimeout(cluster.objects.patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, plural: PLURAL, namespace: cluster.namespace, name: cluster.name, body: pinPatch(choice.target.revision, state.resourceVersion), fieldManager: FIELD_MANAGER, fieldValidation: 'Strict' },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  ) as Promise<unknown>, TIMEOUT_MS).catch((err: unknown) => {
    if (statusCodeOf(err) === 422 && /unknown field "spec\.model\.revision"/.test(serverMessage((err as { body?: unknown }).body) ?? '')) throw new RollbackError(oldCrd(cluster));
    throw err;
  });
  // A CRD from before revisions drops the field silently where the server ignores Strict validation.
  if (readRollbackState(patched, []).pinned !== choice.target.revision) throw new RollbackError(oldCrd(cluster));
  return pinnedMessage(state, choice);
}

const oldCrd = (cluster: Cluster): string =>
  `the API server refused spec.model.revision on riskmodel/${cluster.name}: the installed RiskModel CRD is older than rollbacks; install the current one with kubectl apply -f crds/`;

async function unpin(cluster: Cluster): Promise<string> {
  const state = await readState(cluster);
  if (state.pinned === undefined) return notPinnedMessage(state);
  await withTimeout(cluster.objects.patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, plural: PLURAL, namespace: cluster.namespace, name: cluster.name, body: unpinPatch(state.pinned), fieldManager: FIELD_MANAGER },
    setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
  ) as Promise<unknown>, TIMEOUT_MS);
  return unpinnedMessage(state, state.pinned);
}

/** The RiskModel and its snapshot ConfigMaps. Throws RollbackError for a missing RiskModel or CRD. */
async function readState(cluster: Cluster): Promise<RollbackState> {
  const riskModel = await readRiskModel(cluster);
  // The operator's own selector of a RiskModel's snapshots; readRollbackState keeps those it controls.
  const selector = Object.entries(snapshotSelector(cluster.name)).map(([k, v]) => `${k}=${v}`).join(',');
  const snapshots = await withTimeout(cluster.core.listNamespacedConfigMap({ namespace: cluster.namespace, labelSelector: selector }), TIMEOUT_MS)
    .catch((err: unknown) => { throw new RollbackError(describeApiError(err, `list the snapshot ConfigMaps of riskmodel/${cluster.name} in namespace ${cluster.namespace}`, cluster.server)); });
  return readRollbackState(riskModel, snapshots.items);
}

async function readRiskModel(cluster: Cluster): Promise<unknown> {
  const { namespace, name } = cluster;
  try {
    return await withTimeout(cluster.objects.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name }) as Promise<unknown>, TIMEOUT_MS);
  } catch (err) {
    if (statusCodeOf(err) !== 404) throw new RollbackError(describeApiError(err, `read riskmodel/${name} in namespace ${namespace}`, cluster.server));
    // A 404 for the object names it in the Status details; a 404 for the whole resource type does not.
    if (!isObjectNotFound(err)) throw new RollbackError(NO_CRD_MESSAGE);
    throw new RollbackError(`riskmodel/${name} not found in namespace ${namespace}; ${await existing(cluster)} (give the namespace with -n NAMESPACE)`);
  }
}

function isObjectNotFound(err: unknown): boolean {
  const body = (err as { body?: unknown }).body;
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { details?: { name?: unknown } } | null;
    return typeof status?.details?.name === 'string';
  } catch {
    return false;
  }
}

/** "RiskModels there: a, b", "there are no RiskModels there", or why they could not be listed. */
async function existing(cluster: Cluster): Promise<string> {
  try {
    const list = await withTimeout(cluster.objects.listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: cluster.namespace }) as Promise<{ items?: { metadata?: { name?: string } }[] }>, TIMEOUT_MS);
    const names = (list.items ?? []).map((item) => item.metadata?.name).filter((n): n is string => typeof n === 'string').sort();
    return names.length === 0 ? 'there are no RiskModels there' : `RiskModels there: ${names.join(', ')}`;
  } catch (err) {
    return `listing the RiskModels there failed too (${describeApiError(err, 'list riskmodels', cluster.server)})`;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(`rollback: unexpected failure: ${messageOf(err)}`);
    process.exitCode = 1;
  },
);
