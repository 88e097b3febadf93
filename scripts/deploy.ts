// `npm run deploy`: the operator installed in a cluster in one command, as kubebuilder projects
// do it with `make deploy`. On the local cluster it builds what changed of the images, imports
// them into the real node and runs them; on another cluster (--image-prefix) it runs the images
// the user pushed. Either way config/default is applied through the overlay of
// lib/operator-install.ts and the command returns once 2 replicas are ready and one holds the Lease.
// Exit status: 0 installed, 1 failed (no local cluster, refused, not ready in time), 2 bad usage.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type LocalClusterConfig } from '../localcluster/config.js';
import { imagesOnNode } from '../localcluster/images/on-node.js';
import { deployHelp, parseDeployArgs, registryImages, type DeployOptions } from './lib/deploy-options.js';
import { currentContextTarget, localTarget, runCommand, type Target } from './lib/deploy-target.js';
import { installOperator, OPERATOR, OPERATOR_POD_SELECTOR, waitForLeader } from './lib/operator-install.js';
import { messageOf } from '../operator/messages.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const log = (line: string): void => console.log(`deploy: ${line}`);

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

interface Plan {
  target: Target;
  images: { operator: string; inference: string };
}

/** The cluster and images: built and imported for the local cluster, the given names for a registry. */
async function plan(config: LocalClusterConfig, options: DeployOptions): Promise<Plan> {
  if (options.images.kind === 'registry') {
    const target = currentContextTarget(config);
    log(`installing on ${target.server ?? 'the current context'} (${target.kubeconfig ?? '~/.kube/config'}); the images must already be in ${options.images.prefix}`);
    return { target, images: registryImages(options.images) };
  }
  const target = await localTarget(config);
  const env = process.env.KUBECONFIG;
  if (env && env !== target.kubeconfig) log(`note: installing on the local cluster (${target.server ?? ''}), not on the cluster of $KUBECONFIG=${env}`);
  log('building what changed of the images (npm run images) and importing them into the real node');
  const images = await imagesOnNode(config, (line) => log(`  ${line}`));
  return { target, images };
}

async function deploy(options: DeployOptions): Promise<void> {
  const config = loadConfig();
  const { target, images } = await plan(config, options);
  const dir = path.join(config.stateDir, 'deploy');
  const scope = options.watchNamespaces.length === 0 ? 'every namespace' : `namespaces ${options.watchNamespaces.join(', ')}`;
  log(`$ kubectl apply --server-side -k ${shellPath(dir)}   # config/default with ${images.operator}; INFERENCE_IMAGE=${images.inference}; watching ${scope}`);
  await installOperator(target.kubectl, {
    repoRoot: REPO_ROOT, dir, operatorImage: images.operator, inferenceImage: images.inference,
    watchNamespaces: options.watchNamespaces, timeoutSeconds: options.timeoutSeconds,
  }).catch(async (err: unknown) => {
    // Applied but not ready in time: the pods say why (an image that cannot be pulled, a crash).
    throw /rollout status/.test(messageOf(err)) ? new Error(`${messageOf(err)}\n${await podsReport(target)}`) : err;
  });
  const { leader, pods } = await waitForLeader(target.kubectl, options.timeoutSeconds * 1000);
  log(`the operator runs: ${pods.length} ready replicas (${pods.join(', ')}), ${leader} holds the Lease ${OPERATOR.namespace}/${OPERATOR.lease}`);
  printNext(target);
}

/** The operator's pods and their recent events, to show why a wait failed. */
async function podsReport(target: Target): Promise<string> {
  const pods = await target.kubectl(['get', 'pods', '-n', OPERATOR.namespace, '-l', OPERATOR_POD_SELECTOR, '-o', 'wide']).catch((err: unknown) => messageOf(err));
  return `The operator's pods:\n${pods.trim()}\n(kubectl describe pods -n ${OPERATOR.namespace} -l ${OPERATOR_POD_SELECTOR} says why)`;
}

function printNext(target: Target): void {
  const local = target.local && target.kubeconfig !== undefined
    ? [`  export KUBECONFIG=${shellPath(target.kubeconfig)}   # the local cluster's; kubectl: any 1.36+, or ${shellPath(target.binary)}`]
    : [];
  console.log([
    '',
    'Installed. Apply a sample and watch it become Ready:',
    ...local,
    '  kubectl apply -f samples/riskmodel-minimal.yaml',
    '  kubectl get riskmodels -w',
    'Remove it with: npm run undeploy   (the CRD and every RiskModel stay; add -- --crd to delete them too)',
  ].join('\n'));
}

/** `$PWD/…` for a file under the working folder (what a user types in the repository), else the absolute path. */
function shellPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : `$PWD/${rel}`;
}

const version = packageVersion();
runCommand('deploy', () => parseDeployArgs(process.argv.slice(2), version), deployHelp(version), deploy);
