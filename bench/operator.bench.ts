// `npm run bench:operator [-- --count 1000]`: the operator's figures on the local cluster.
//   1. N RiskModels from apply to all Ready, against a floor measured in the same run: the same
//      children of N RiskModels, every kind (from the operator's own pure `desired()`), applied by one client with SSA.
//   2. Spec edit → HPA updated latency, p50/p99 over sequential edits, seen through a watch.
//   3. Writes during an idle window with 100 RiskModels: writes the operator made (watch events
//      whose managedFields show riskmodel-operator wrote in the window) and the API server's own
//      write-request counters for the operator's resources (which would also show no-op writes).
//   4. The operator's resident memory (VmRSS, VmHWM from /proc).
// Everything runs in two fresh namespaces that are deleted at the end. Figures, not a test.
import { OperatorProcess } from '../scripts/lib/operator-process.js';
import { operatorNodeArgs } from './operator/build.js';
import { applyCrd, createNamespace, deleteNamespaceAndWait, ensurePodCapacity, makeClients } from './operator/cluster.js';
import { IMAGE, measureEdits, measureFloor, measureIdle, measureOperator } from './operator/measure.js';
import { parseOptions } from './operator/options.js';
import { loadAverage, memoryOf, report } from './operator/report.js';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const clients = makeClients(options.kubeconfig);
  const nodeArgs = await operatorNodeArgs(options);
  await applyCrd(clients);
  const namespaces: string[] = [];
  const nodes: string[] = [];
  let operator: OperatorProcess | undefined;
  const cleanUp = async (): Promise<void> => {
    await operator?.stop().catch(() => operator?.kill());
    await Promise.all(namespaces.map((name) => deleteNamespaceAndWait(clients, name).catch(() => undefined)));
    await Promise.all(nodes.map((name) => clients.core.deleteNode({ name }).catch(() => undefined)));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  try {
    const loadAtStart = await loadAverage();
    nodes.push(...(await ensurePodCapacity(clients, options.count * options.minReplicas)));
    const floorNs = await createNamespace(clients, 'bench-floor');
    namespaces.push(floorNs);
    console.log(`floor: applying ${options.count * 3} children in ${floorNs} …`);
    const floorMs = await measureFloor(clients, floorNs, options);
    console.log(`floor: ${(floorMs / 1000).toFixed(1)} s; deleting ${floorNs} so the operator's pods get the same room …`);
    await deleteNamespaceAndWait(clients, floorNs);
    namespaces.splice(namespaces.indexOf(floorNs), 1);
    const operatorNs = await createNamespace(clients, 'bench-operator');
    namespaces.push(operatorNs);
    operator = OperatorProcess.spawn({ kubeconfig: options.kubeconfig, namespaces: [operatorNs], podName: 'bench-operator', nodeArgs, extraEnv: { LOG_LEVEL: 'info', INFERENCE_IMAGE: IMAGE } });
    await operator.started();
    console.log(`operator (pid ${operator.pid}): creating ${options.count} RiskModels in ${operatorNs} …`);
    const operatorMs = await measureOperator(clients, operatorNs, options);
    console.log(`operator: ${(operatorMs / 1000).toFixed(1)} s`);
    console.log(`editing spec.maxReplicas ${options.edits} times …`);
    const edits = await measureEdits(clients, operatorNs, options);
    console.log(`idle window: ${options.idleCount} RiskModels, ${options.idleSeconds} s …`);
    const idle = await measureIdle(clients, operatorNs, options, operator);
    const memory = await memoryOf(operator.pid);
    report(options, { floorMs, operatorMs, edits, ...idle, ...memory }, `${loadAtStart} at start, ${await loadAverage()} at end`);
  } finally {
    await cleanUp();
  }
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  })
  // A watch still open after a failure must not keep the process alive.
  .finally(() => setTimeout(() => process.exit(), 1000).unref());
