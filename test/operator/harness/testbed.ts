// One test file's world: the local cluster, the RiskModel CRD installed, a fresh namespace,
// and the operator processes the file starts. Registers the mocha hooks that print the
// operators' logs when a test fails and stop every process the file started.
import path from 'node:path';
import * as support from '../../support/cluster.js';
import { Cluster, isReady, type RiskModel } from './api.js';
import { eventually } from './eventually.js';
import { OperatorProcess, REPO_ROOT, type OperatorOptions } from '../../../scripts/lib/operator-process.js';
import { waitForCrd } from '../../../scripts/lib/operator-install.js';

export const CRD_FILE = path.join(REPO_ROOT, 'crds/riskmodel.dev_riskmodels.yaml');

export interface TestbedOptions {
  /** Start one operator watching the namespace before the tests (most files want this). */
  readonly operator?: boolean;
  /** Extra labels for the namespace (Pod Security, say). */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Where the namespace's pods run: kwok's simulated nodes (default) or the real node. */
  readonly placement?: support.Placement;
}

export class Testbed {
  cluster!: Cluster;
  namespace!: string;
  /** Every operator this file started, for log dumps and clean-up. */
  readonly operators: OperatorProcess[] = [];
  private operatorCount = 0;

  /** The operator started by `before` (with `operator: true`), or the last one started. */
  get operator(): OperatorProcess {
    const last = this.operators[this.operators.length - 1];
    if (!last) throw new Error('no operator was started in this file');
    return last;
  }

  /**
   * Waits until the RiskModel `name` in this namespace satisfies `predicate`; the timeout
   * message shows its last status.
   */
  waitForRiskModel(name: string, what: string, predicate: (rm: RiskModel) => boolean, timeoutMs = 120_000): Promise<RiskModel> {
    return eventually(
      `RiskModel ${this.namespace}/${name}: ${what}`,
      async (saw) => {
        const rm = await this.cluster.getRiskModel(this.namespace, name);
        saw({ generation: rm.metadata.generation, status: rm.status });
        return predicate(rm) && rm;
      },
      { timeoutMs },
    );
  }

  /** Waits for Ready=True at the current generation. */
  waitForReady(name: string, timeoutMs = 120_000): Promise<RiskModel> {
    return this.waitForRiskModel(name, 'Ready', isReady, timeoutMs);
  }

  /** Starts an operator watching this file's namespace as the cluster admin unless overridden. */
  async startOperator(overrides: Partial<OperatorOptions> = {}): Promise<OperatorProcess> {
    this.operatorCount += 1;
    const operator = OperatorProcess.spawn({
      kubeconfig: this.cluster.kubeconfigPath,
      namespaces: [this.namespace],
      podName: `${this.namespace}-operator-${this.operatorCount}`,
      resyncSeconds: 20,
      ...overrides,
    });
    // Registered before it is ready, so a start that fails still gets its log printed and killed.
    this.operators.push(operator);
    return operator.started();
  }
}

/**
 * Declares the hooks for one describe block and returns its testbed, filled in by `before`.
 * Call at the top of a `describe`.
 */
export function useTestbed(options: TestbedOptions = {}): Testbed {
  const bed = new Testbed();
  before(async function () {
    this.timeout(300_000);
    const { kubeconfigPath, kc } = await support.ensureCluster();
    await installCrd();
    bed.cluster = new Cluster(kubeconfigPath);
    bed.namespace = await support.freshNamespace(kc, 'operator', { ...options.namespaceLabels }, { placement: options.placement ?? 'kwok' });
    if (options.operator) await bed.startOperator();
  });
  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const operator of bed.operators) console.log(operator.dump());
  });
  after(async function () {
    // Tests left without a state never ran: a hook failed, and its cause is in the operators' logs.
    const skipped = this.test?.parent?.tests.some((test) => test.state === undefined) ?? false;
    if (skipped) for (const operator of bed.operators) console.log(operator.dump());
    await Promise.all(bed.operators.map((operator) => operator.kill()));
  });
  return bed;
}

let crdInstalled: Promise<void> | undefined;

/** Applies the CRD from `crds/` (server-side, idempotent) once per run and waits until it serves. */
export function installCrd(): Promise<void> {
  crdInstalled ??= (async () => {
    const { kubeconfigPath } = await support.ensureCluster();
    await kubectl(['apply', '--server-side', '--force-conflicts', '-f', CRD_FILE]);
    await waitForCrd(kubectl);
    const cluster = new Cluster(kubeconfigPath);
    await eventually('the riskmodels resource to be served', async () => Array.isArray(await cluster.listRiskModels('default')));
  })();
  crdInstalled.catch(() => (crdInstalled = undefined));
  return crdInstalled;
}

/** Runs kubectl against the local cluster as its admin; resolves with stdout, rejects on failure. */
export function kubectl(args: readonly string[]): Promise<string> {
  return support.kubectlOk([...args]);
}
