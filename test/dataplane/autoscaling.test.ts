// Needs the local cluster with its real node. Real requests through the Service make the inference
// pods burn real CPU: the kubelet measures it, `kubectl top` and the RiskModel's CPU column show it,
// and the real HPA scales to maxReplicas; once the load stops it scales back to minReplicas, and not
// before the RiskModel's scale-down window.
import { expect } from 'chai';
import { startLoad } from '../../scripts/demo/load.js';
import { rolledOut, type DeploymentObject } from '../../scripts/demo/riskmodel.js';
import { trainedArtifact } from '../operator/harness/fixtures.js';
import type { RiskModelStatus } from '../operator/harness/api.js';
import { kubectlOk, waitFor } from '../support/cluster.js';
import { createRiskModel, putModel, serviceUrl, useRealNodeBed, waitReady } from './bed.js';

/** Requests a second through the Service. */
const RATE = 600;
/**
 * The CPU target. What 600 req/s cost varies with the machine: one pod read 101 % of its 100m
 * request on a quiet run and three read 34-47m each on another, where a 50 % target left the HPA at
 * 2 for 300 s (issue 19's point). At 20 % any of those readings asks for maxReplicas.
 */
const TARGET_CPU = 20;
const WINDOW_SECONDS = 20;

/** milliCPU by pod from `kubectl top pods`. */
async function topPods(namespace: string, selector: string): Promise<Record<string, number>> {
  const out = await kubectlOk(['top', 'pods', '-n', namespace, '-l', selector, '--no-headers']);
  return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((line) => {
    const [pod = '', cpu = '0m'] = line.trim().split(/\s+/);
    return [pod, Number(cpu.replace(/m$/, ''))];
  }));
}

type Scaling = { current?: number; summary?: string };

/** Whichever shows the higher reading: the one kept, or status.autoscaling's first metric now. */
function higherScaling(kept: Scaling, status: RiskModelStatus | undefined): Scaling {
  const now = { current: status?.autoscaling?.metrics?.[0]?.current, summary: status?.autoscaling?.summary };
  return (now.current ?? -1) >= (kept.current ?? -1) ? now : kept;
}

describe('real node: autoscaling on measured CPU', function () {
  this.timeout(15 * 60_000);
  const bed = useRealNodeBed('hpa');
  const name = 'busy';

  it('shows the load in kubectl top and the RiskModel CPU column, scales up to maxReplicas, and back to minReplicas after the window', async () => {
    await putModel(bed, 'busy-model', await trainedArtifact(31));
    await createRiskModel(bed, name, 'busy-model', { minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: TARGET_CPU, scaleDownStabilizationSeconds: WINDOW_SECONDS });
    await waitReady(bed, name, 1);
    const deployment = async (): Promise<DeploymentObject> => (await bed.cluster.apps.readNamespacedDeployment({ namespace: bed.namespace, name })) as unknown as DeploymentObject;
    const load = await startLoad(await serviceUrl(bed, name), RATE, 16);
    const started = Date.now();
    let maxCpu = 0;
    let top: Record<string, number> = {};
    // The busiest pod over the whole scale-up: once the load is spread over 3 pods, each may read
    // well under 50m on a quiet machine (34m and 47m in one run), so the last reading proves nothing.
    let busiestTop = 0;
    // The SCALING column (status.autoscaling.summary) at its highest reading: the short form shows there too.
    let busiestScaling: Scaling = {};
    try {
      await waitFor(async () => {
        const status = (await bed.cluster.getRiskModel(bed.namespace, name)).status;
        maxCpu = Math.max(maxCpu, status?.currentCPUUtilizationPercentage ?? 0);
        busiestScaling = higherScaling(busiestScaling, status);
        top = await topPods(bed.namespace, `app.kubernetes.io/instance=${name}`).catch(() => top);
        busiestTop = Math.max(busiestTop, ...Object.values(top));
        return rolledOut(await deployment(), 3);
      }, { timeoutMs: 300_000, intervalMs: 2000, what: `the HPA to scale ${name} to 3 ready replicas under ${RATE} req/s` });
    } finally {
      const summary = await load.stop();
      console.log(`      load: ${summary.responses} answers at ${summary.requestsPerSecond.toFixed(0)} req/s, ${summary.responses - summary.status['2xx'] + summary.connectionErrors + summary.timeouts} failed`);
    }
    const upSeconds = (Date.now() - started) / 1000;
    console.log(`      scaled 1 → 3 in ${upSeconds.toFixed(0)} s; highest RiskModel CPU ${maxCpu}% of requests; busiest pod in kubectl top ${busiestTop}m; last kubectl top: ${JSON.stringify(top)}`);
    expect(maxCpu, 'the RiskModel\'s CPU column under load, above the target').to.be.above(TARGET_CPU);
    expect(busiestScaling.summary, 'the SCALING column under load').to.equal(`CPU ${String(busiestScaling.current)}/${TARGET_CPU}%`);
    expect(busiestScaling.current, 'status.autoscaling\'s CPU reading under load, above the target').to.be.above(TARGET_CPU);
    expect(busiestTop, 'the busiest pod in kubectl top during the scale-up, milliCPU (the target of the 100m request)').to.be.above(TARGET_CPU);
    const stopped = Date.now();
    await waitFor(async () => rolledOut(await deployment(), 1), { timeoutMs: (WINDOW_SECONDS + 180) * 1000, intervalMs: 2000, what: `the HPA to scale ${name} back to 1 replica` });
    const downSeconds = (Date.now() - stopped) / 1000;
    console.log(`      scaled 3 → 1 ${downSeconds.toFixed(0)} s after the load stopped (window ${WINDOW_SECONDS} s)`);
    expect(downSeconds).to.be.at.least(WINDOW_SECONDS);
  });
});
