// The operator installed in the cluster from config/default, as a user would (`kubectl apply -k`),
// with the locally built images swapped in by a kustomize overlay written next to the cluster's
// state: config/default itself names no local image and stays registry-agnostic.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { waitFor } from '../../localcluster/wait.js';

/** Where config/default puts the operator (its namespace, Deployment, container and Lease). */
export const OPERATOR = { namespace: 'riskmodel-system', deployment: 'riskmodel-operator', container: 'operator', lease: 'riskmodel-operator' } as const;

export interface OverlayInput {
  /** config/default, relative to the overlay's folder (kustomize loads bases by relative path). */
  base: string;
  /** The operator image as config/manager/manager.yaml names it, without its tag. */
  baseImageName: string;
  /** Full refs of the images to run instead: `localhost/riskmodel-operator:<hash>`. */
  operatorImage: string;
  inferenceImage: string;
  /** Namespaces the operator watches; empty watches all. */
  watchNamespaces: readonly string[];
}

/** Splits `host[:port]/path:tag` into name and tag; a ref without a tag gets `latest`. Pure. */
export function splitImageRef(ref: string): { name: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon <= slash) return { name: ref, tag: 'latest' };
  return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
}

interface ManagerDoc {
  kind?: string;
  spec?: { template?: { spec?: { containers?: { name?: string; image?: string }[] } } };
}

/** The operator container's image name (no tag) in config/manager/manager.yaml's text; throws when absent. Pure. */
export function managerImageName(managerYaml: string): string {
  const deployment = (parse(managerYaml) as ManagerDoc | null) ?? {};
  const image = deployment.spec?.template?.spec?.containers?.find((c) => c.name === OPERATOR.container)?.image;
  if (deployment.kind !== 'Deployment' || !image) throw new Error(`config/manager/manager.yaml has no Deployment with a container named ${OPERATOR.container}`);
  return splitImageRef(image).name;
}

/**
 * The overlay's kustomization.yaml: config/default, the operator image replaced (kustomize
 * `images:`), and the settings kustomize cannot reach with `images:` (INFERENCE_IMAGE is an env
 * value) patched into the container's env. Pure.
 */
export function operatorOverlay(input: OverlayInput): string {
  const { name, tag } = splitImageRef(input.operatorImage);
  const patch = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: OPERATOR.deployment, namespace: OPERATOR.namespace },
    spec: { template: { spec: { containers: [{
      name: OPERATOR.container,
      env: [
        { name: 'INFERENCE_IMAGE', value: input.inferenceImage },
        { name: 'WATCH_NAMESPACES', value: input.watchNamespaces.join(',') },
      ],
    }] } } },
  };
  return stringify({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [input.base],
    images: [{ name: input.baseImageName, newName: name, newTag: tag }],
    patches: [{ patch: stringify(patch) }],
  });
}

/** Runs kubectl with the target cluster's credentials; resolves with stdout, rejects with stderr. */
export type Kubectl = (args: string[], input?: string) => Promise<string>;

export interface InstallOptions {
  repoRoot: string;
  /** A folder of the caller's for the overlay (created; its kustomization.yaml is overwritten). */
  dir: string;
  operatorImage: string;
  inferenceImage: string;
  watchNamespaces: readonly string[];
  /** How long to wait for both replicas to be ready (default 180 s). */
  timeoutSeconds?: number;
}

/**
 * Applies config/default through the overlay (server-side, so re-running it is an update) and
 * waits until the CRD is established and the Deployment's pods are all ready. Idempotent.
 * Throws with kubectl's message when something is refused or not ready in time.
 */
export async function installOperator(kubectl: Kubectl, options: InstallOptions): Promise<void> {
  const manager = await readFile(path.join(options.repoRoot, 'config/manager/manager.yaml'), 'utf8');
  await mkdir(options.dir, { recursive: true });
  await writeFile(path.join(options.dir, 'kustomization.yaml'), operatorOverlay({
    base: path.relative(options.dir, path.join(options.repoRoot, 'config/default')),
    baseImageName: managerImageName(manager),
    operatorImage: options.operatorImage,
    inferenceImage: options.inferenceImage,
    watchNamespaces: options.watchNamespaces,
  }));
  await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=riskmodel-install', '-k', options.dir]);
  await waitForCrd(kubectl);
  const timeout = `${options.timeoutSeconds ?? 180}s`;
  await kubectl(['rollout', 'status', `deployment/${OPERATOR.deployment}`, '-n', OPERATOR.namespace, `--timeout=${timeout}`]);
}

/**
 * Waits until the RiskModel CRD is Established, polling its condition. Not `kubectl wait
 * --for=condition=Established`: a CRD just created has `status.conditions: null` until the API
 * server's CRD controllers run, and kubectl's condition wait (v1.37, pkg/cmd/wait/condition.go)
 * fails on a null list at once ("accessor error: <nil> is of the type <nil>") instead of waiting —
 * seen right after a cluster started.
 */
export async function waitForCrd(kubectl: Kubectl, timeoutMs = 60_000): Promise<void> {
  const established = ['get', 'crd', 'riskmodels.riskmodel.dev', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}'];
  await waitFor(async (saw) => {
    const status = (await kubectl(established)).trim();
    saw(`Established=${status || '(no condition yet)'}`);
    return status === 'True';
  }, { what: 'the CRD riskmodels.riskmodel.dev to be Established', timeoutMs, intervalMs: 250 });
}

/** The identity holding the operator's Lease (the leader pod's name), or undefined when none holds it. */
export async function leaseHolder(kubectl: Kubectl): Promise<string | undefined> {
  const out = await kubectl(['get', 'lease', OPERATOR.lease, '-n', OPERATOR.namespace, '--ignore-not-found', '-o', 'jsonpath={.spec.holderIdentity}']);
  return out.trim() || undefined;
}

/** The label config/default puts on the operator's pods. */
export const OPERATOR_POD_SELECTOR = `app.kubernetes.io/name=${OPERATOR.deployment}`;

/** Names of the operator's pods; those being deleted only with `terminating`. */
export async function operatorPods(kubectl: Kubectl, options: { terminating?: boolean } = {}): Promise<string[]> {
  const out = await kubectl(['get', 'pods', '-n', OPERATOR.namespace, '-l', OPERATOR_POD_SELECTOR, '-o', 'json']);
  const list = JSON.parse(out) as { items?: { metadata?: { name?: string; deletionTimestamp?: string } }[] };
  return (list.items ?? []).filter((p) => options.terminating === true || !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '').filter((n) => n !== '');
}

/**
 * Waits until one of the operator's current pods holds its Lease and resolves with that pod's
 * name and the pods. Throws after `timeoutMs`.
 */
export async function waitForLeader(kubectl: Kubectl, timeoutMs: number): Promise<{ leader: string; pods: string[] }> {
  return waitFor(async (saw) => {
    const [pods, holder] = await Promise.all([operatorPods(kubectl), leaseHolder(kubectl)]);
    saw({ pods, holder });
    return holder !== undefined && pods.includes(holder) ? { leader: holder, pods } : undefined;
  }, { what: `one of the operator pods to hold the Lease ${OPERATOR.namespace}/${OPERATOR.lease}`, timeoutMs, intervalMs: 1000 });
}

interface ObjectRef { kind?: string; metadata?: { name?: string } }

/**
 * What undeploy deletes of the objects config/default renders (`kubectl kustomize` output): all
 * of them with `crd`, else all but the CustomResourceDefinition, so RiskModels survive. Returns
 * the YAML to feed `kubectl delete -f -` and a `Kind/name` list for the message. Pure.
 */
export function objectsToRemove(renderedYaml: string, options: { crd: boolean }): { yaml: string; names: string[] } {
  const docs = parseAllDocuments(renderedYaml).map((d) => d.toJS() as ObjectRef | null).filter((d): d is ObjectRef => d !== null && typeof d === 'object');
  const kept = docs.filter((d) => options.crd || d.kind !== 'CustomResourceDefinition');
  return { yaml: kept.map((d) => stringify(d)).join('---\n'), names: kept.map((d) => `${d.kind ?? '?'}/${d.metadata?.name ?? '?'}`) };
}

export interface UninstallOptions {
  repoRoot: string;
  /** Also delete the CRD (and so every RiskModel). */
  crd: boolean;
  timeoutSeconds: number;
}

/**
 * Deletes config/default's objects (the CRD only with `crd`) and waits until the operator's pods
 * are gone. Idempotent: what is already gone is skipped. Returns the `Kind/name`s it deleted or
 * found absent. Throws with kubectl's message, or when pods remain after the timeout.
 */
export async function uninstallOperator(kubectl: Kubectl, options: UninstallOptions): Promise<string[]> {
  const rendered = await kubectl(['kustomize', path.join(options.repoRoot, 'config/default')]);
  const { yaml, names } = objectsToRemove(rendered, { crd: options.crd });
  await kubectl(['delete', '--ignore-not-found', '--wait=true', `--timeout=${options.timeoutSeconds}s`, '-f', '-'], yaml);
  await waitFor(async (saw) => {
    const left = await operatorPods(kubectl, { terminating: true });
    saw(left);
    return left.length === 0;
  }, { what: `the operator's pods in ${OPERATOR.namespace} to be gone`, timeoutMs: options.timeoutSeconds * 1000, intervalMs: 1000 });
  return names;
}
