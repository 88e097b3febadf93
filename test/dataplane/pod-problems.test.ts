// Needs the local cluster with its real node. Pods that cannot run — an image that cannot be
// pulled, a server that crashes, a memory limit too small, a pod no node can take — turn the
// RiskModel Degraded (and Stalled, and not Ready) with the pods' own reason within 30 s of the pod
// showing it, in the kubelet's or scheduler's words, with one Warning event per cause; kstatus
// (Flux, kpt, Helm's --wait) reads Failed and Argo CD's health check Degraded; it clears by
// itself when the pods recover. A healthy RiskModel reads Current, a fresh edit and a rollout
// InProgress. Every pull attempt goes to a registry on 127.0.0.1:1, which refuses at once.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { condition, type RiskModel, type RiskModelSpec } from '../operator/harness/api.js';
import { trainedArtifact } from '../operator/harness/fixtures.js';
import { waitFor } from '../support/cluster.js';
import { argoHealthOf, ensureKstatusCheck, kstatusOf } from '../support/status-tools.js';
import { createRiskModel, putModel, useRealNodeBed, waitReady, type RealNodeBed } from './bed.js';

const MODEL = 'model';
const UNPULLABLE = 'localhost:1/riskmodel/missing-inference:0';

/** Whether a pod shows the state `matches` looks for (a waiting reason, a last termination, a condition). */
type PodState = (pod: V1Pod) => boolean;
const waitingFor = (...reasons: string[]): PodState => (pod) =>
  (pod.status?.containerStatuses ?? []).some((c) => reasons.includes(c.state?.waiting?.reason ?? ''));
const terminatedFor = (reason: string): PodState => (pod) =>
  (pod.status?.containerStatuses ?? []).some((c) => c.lastState?.terminated?.reason === reason || c.state?.terminated?.reason === reason);
const unschedulable: PodState = (pod) => (pod.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable');

interface Observed {
  rm: RiskModel;
  podShowedAt: number;
  degradedAt: number;
}

/**
 * Polls the pods and the RiskModel every 500 ms until the RiskModel is Degraded with `reason`;
 * records when a pod first showed `state` and when the RiskModel first said so.
 */
async function watchUntilDegraded(bed: RealNodeBed, name: string, state: PodState, reason: string): Promise<Observed> {
  let podShowedAt: number | undefined;
  return waitFor(async () => {
    const pods = await bed.cluster.pods(bed.namespace, name);
    if (podShowedAt === undefined && pods.some(state)) podShowedAt = Date.now();
    const rm = await bed.cluster.getRiskModel(bed.namespace, name);
    const degraded = condition(rm, 'Degraded');
    if (degraded?.status !== 'True' || degraded.reason !== reason) return undefined;
    // The status may be written between two polls of the pods: the pod showed it by now at the latest.
    podShowedAt ??= Date.now();
    return { rm, podShowedAt, degradedAt: Date.now() };
  }, { timeoutMs: 240_000, intervalMs: 500, what: `RiskModel ${name} Degraded with reason ${reason}` });
}

async function warningEvents(bed: RealNodeBed, name: string, reason: string): Promise<number> {
  const events = await bed.cluster.eventsFor(bed.namespace, 'RiskModel', name);
  return events.filter((e) => e.type === 'Warning' && e.reason === reason).reduce((n, e) => n + (e.series?.count ?? e.count ?? 1), 0);
}

/** Creates the RiskModel (one pod), waits until Degraded with `reason`, and checks what every reader sees. */
async function expectStuck(bed: RealNodeBed, name: string, spec: Partial<RiskModelSpec>, want: { state: PodState; reason: string; words: RegExp }): Promise<RiskModel> {
  await createRiskModel(bed, name, MODEL, { minReplicas: 1, maxReplicas: 1, ...spec });
  const seen = await watchUntilDegraded(bed, name, want.state, want.reason);
  const lag = (seen.degradedAt - seen.podShowedAt) / 1000;
  console.log(`      ${name}: Degraded ${want.reason} ${lag.toFixed(1)} s after a pod showed it: ${condition(seen.rm, 'Degraded')?.message}`);
  expect(lag, 'seconds from the pod showing it to Degraded=True').to.be.at.most(30);
  const degraded = condition(seen.rm, 'Degraded')!;
  expect(degraded.message).to.match(new RegExp(`^pod ${name}-[a-z0-9]+-[a-z0-9]+ `));
  expect(degraded.message).to.match(want.words);
  expect(condition(seen.rm, 'Ready')).to.include({ status: 'False', reason: want.reason });
  expect(condition(seen.rm, 'Stalled')).to.include({ status: 'True', reason: want.reason });
  expect((await kstatusOf(seen.rm)).status, 'kstatus').to.equal('Failed');
  expect((await argoHealthOf(seen.rm)).status, 'Argo CD health').to.equal('Degraded');
  return seen.rm;
}

describe('real node: status tells the truth when pods cannot run', function () {
  this.timeout(10 * 60_000);
  const bed = useRealNodeBed('podproblems');

  before(async function () {
    this.timeout(10 * 60_000);
    await ensureKstatusCheck((line) => console.log(`      ${line}`));
    await putModel(bed, MODEL, await trainedArtifact(11));
  });

  afterEach(async function () {
    // Free the node's CPU requests for the next case.
    for (const rm of await bed.cluster.listRiskModels(bed.namespace)) await bed.cluster.deleteRiskModel(bed.namespace, rm.metadata.name);
  });

  it('reads Current when Ready, InProgress right after a spec edit and during a rollout, then Current again', async () => {
    await createRiskModel(bed, 'healthy', MODEL, { minReplicas: 1, maxReplicas: 2 });
    const ready = await waitReady(bed, 'healthy', 1);
    expect((await kstatusOf(ready)).status).to.equal('Current');
    expect((await argoHealthOf(ready)).status).to.equal('Healthy');
    expect(condition(ready, 'Reconciling')).to.include({ status: 'False' });
    // What `kubectl apply` gets back: the new generation, the status of the old one.
    const edited = await bed.cluster.patchRiskModelSpec(bed.namespace, 'healthy', { scaleDownStabilizationSeconds: 5 });
    expect((await kstatusOf(edited)).status, 'kstatus right after the edit').to.equal('InProgress');
    await putModel(bed, MODEL, await trainedArtifact(12));
    const rolling = await waitFor(async () => {
      const rm = await bed.cluster.getRiskModel(bed.namespace, 'healthy');
      return condition(rm, 'Reconciling')?.status === 'True' ? rm : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250, what: 'the model rollout to show Reconciling=True' });
    expect((await kstatusOf(rolling)).status, 'kstatus during the rollout').to.equal('InProgress');
    expect((await argoHealthOf(rolling)).status, 'Argo CD during the rollout').to.equal('Progressing');
    const after = await waitReady(bed, 'healthy', 1);
    expect((await kstatusOf(after)).status).to.equal('Current');
    expect(condition(after, 'Degraded')).to.include({ status: 'False' });
  });

  it('reports an image that cannot be pulled as ImagePullFailed with one Warning event, and recovers when the image is fixed', async () => {
    await expectStuck(bed, 'unpullable', { image: UNPULLABLE, imagePullPolicy: 'IfNotPresent' }, {
      state: waitingFor('ErrImagePull', 'ImagePullBackOff'), reason: 'ImagePullFailed', words: new RegExp(`container inference cannot pull image "${UNPULLABLE}": (ErrImagePull|ImagePullBackOff): `),
    });
    // The kubelet alternates ErrImagePull and ImagePullBackOff: still one cause, one event.
    await waitFor(async () => (await bed.cluster.pods(bed.namespace, 'unpullable')).some(waitingFor('ImagePullBackOff')), { timeoutMs: 60_000, intervalMs: 1000, what: 'ImagePullBackOff' });
    await new Promise((r) => setTimeout(r, 5000));
    expect(await warningEvents(bed, 'unpullable', 'ImagePullFailed')).to.equal(1);
    await bed.cluster.patchRiskModelSpec(bed.namespace, 'unpullable', { image: bed.images.inference });
    const recovered = await waitReady(bed, 'unpullable', 1);
    expect(condition(recovered, 'Degraded')).to.include({ status: 'False', reason: 'AsExpected' });
    expect(condition(recovered, 'Stalled')).to.include({ status: 'False' });
    expect((await kstatusOf(recovered)).status).to.equal('Current');
  });

  it('reports a server that keeps exiting as CrashLooping with its exit code', async () => {
    // The operator's image as the inference image: it exits 1 at once, having no credentials in a pod without a token.
    await expectStuck(bed, 'crashing', { image: bed.images.operator, imagePullPolicy: 'IfNotPresent' }, {
      state: waitingFor('CrashLoopBackOff'), reason: 'CrashLooping', words: /container inference keeps crashing \(CrashLoopBackOff\), last exit code [1-9]\d* \(Error\)/,
    });
  });

  it('reports a container killed for its memory limit as OOMKilled', async () => {
    await expectStuck(bed, 'oom', { resources: { requests: { cpu: '50m', memory: '24Mi' }, limits: { memory: '24Mi' } } }, {
      state: terminatedFor('OOMKilled'), reason: 'OOMKilled', words: /container inference was OOMKilled \(exit code 137\)/,
    });
  });

  it('reports a pod no node can take as Unschedulable in the scheduler\'s words', async () => {
    await expectStuck(bed, 'nowhere', { nodeSelector: { 'riskmodel.dev/no-such-node': 'true' } }, {
      state: unschedulable, reason: 'Unschedulable', words: /cannot be scheduled: 0\/\d+ nodes are available: .*node affinity\/selector/,
    });
  });
});
