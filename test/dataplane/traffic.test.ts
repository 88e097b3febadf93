// Needs the local cluster with its real node. RiskModel pods running the inference image, under
// real requests through their Service's ClusterIP: a model that fails its smoke prediction gets no
// traffic, measured CPU drives the HPA both ways, and neither a rollout nor a pod deletion loses a
// request. Figures (requests sent, lost, seconds) are printed for the record.
import { expect } from 'chai';
import { isReady } from '../operator/harness/api.js';
import { trainedArtifact } from '../operator/harness/fixtures.js';
import { kubectlOk, waitFor } from '../support/cluster.js';
import { createRiskModel, livePods, predictOnce, putModel, serviceUrl, smokeFailingArtifact, useRealNodeBed, waitReady } from './bed.js';
import { RATE, underLoad } from './under-load.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('real node: inference traffic through the Service', function () {
  this.timeout(15 * 60_000);
  const bed = useRealNodeBed('traffic');

  describe('a model that fails its smoke prediction', () => {
    it('never becomes Ready: its pods exit with the smoke failure and its Service has no ready endpoint', async () => {
      const good = await trainedArtifact(11);
      await putModel(bed, 'broken-model', smokeFailingArtifact(good));
      await createRiskModel(bed, 'broken', 'broken-model', { minReplicas: 1, maxReplicas: 1 });
      const pod = await waitFor(async () => {
        const p = (await livePods(bed, 'broken'))[0];
        return (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p;
      }, { timeoutMs: 120_000, what: 'the broken model\'s pod to have restarted once' });
      const logs = await kubectlOk(['logs', '-n', bed.namespace, pod.metadata?.name ?? '', '--previous']);
      expect(logs).to.include('smoke prediction failed');
      const rm = await bed.cluster.getRiskModel(bed.namespace, 'broken');
      expect(rm.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.not.equal('True');
      expect(rm.status?.readyReplicas ?? 0).to.equal(0);
      const ready = await kubectlOk(['get', 'endpointslices', '-n', bed.namespace, '-l', 'kubernetes.io/service-name=broken', '-o', 'jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[*]}']);
      expect(ready.trim()).to.equal('');
      const answer = await predictOnce(await serviceUrl(bed, 'broken')).then((r) => r.status, (e: Error) => e.name);
      expect(answer, 'a request to the Service of a model with no ready pod').to.not.equal(200);
    });

    it('gets no traffic when rolled out over a good model: every request under load is answered by the old model', async () => {
      const good = await trainedArtifact(12);
      await putModel(bed, 'guarded-model', good);
      await createRiskModel(bed, 'guarded', 'guarded-model', { minReplicas: 2, maxReplicas: 2 });
      await waitReady(bed, 'guarded', 2);
      const url = await serviceUrl(bed, 'guarded');
      const oldVersion = (await predictOnce(url)).modelVersion;
      const seen = new Set<string>();
      const { sent, lost } = await underLoad(url, async () => {
        await putModel(bed, 'guarded-model', smokeFailingArtifact(good));
        // Long enough for the new pods to start, fail and restart while requests keep flowing.
        for (let i = 0; i < 45; i++) {
          seen.add((await predictOnce(url)).modelVersion ?? 'none');
          await sleep(1000);
        }
      });
      console.log(`      bad-model rollout: ${sent} requests through the Service, ${lost} lost; versions answering: ${[...seen].join(', ')}`);
      expect([...seen]).to.deep.equal([oldVersion]);
      expect(lost).to.equal(0);
      const pods = await livePods(bed, 'guarded');
      expect(pods.filter((p) => p.status?.containerStatuses?.[0]?.ready).length).to.equal(2);
      expect(pods.some((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0), 'a new pod crashed on the smoke prediction').to.be.true;
    });
  });

  describe('a rollout and a pod deletion under continuous load', () => {
    before(async function () {
      this.timeout(300_000);
      await putModel(bed, 'steady-model', await trainedArtifact(21));
      await createRiskModel(bed, 'steady', 'steady-model', { minReplicas: 3, maxReplicas: 3 });
      await waitReady(bed, 'steady', 3);
    });

    it('loses no request while a new model rolls out, and serves the new model afterwards', async () => {
      const url = await serviceUrl(bed, 'steady');
      const next = await trainedArtifact(22);
      const nextVersion = (JSON.parse(next) as { version: string }).version;
      const previous = (await bed.cluster.getRiskModel(bed.namespace, 'steady')).status?.modelVersion;
      const started = Date.now();
      const { sent, lost } = await underLoad(url, async () => {
        await putModel(bed, 'steady-model', next);
        await waitFor(async () => {
          const pods = await livePods(bed, 'steady');
          const rm = await bed.cluster.getRiskModel(bed.namespace, 'steady');
          const templates = new Set(pods.map((p) => p.metadata?.labels?.['pod-template-hash']));
          const settled = pods.length === 3 && templates.size === 1 && pods.every((p) => p.status?.containerStatuses?.[0]?.ready && !p.metadata?.deletionTimestamp);
          return rm.status?.modelVersion !== previous && isReady(rm) && settled;
        }, { timeoutMs: 240_000, intervalMs: 1000, what: 'the new model on 3 ready pods of one template and the old pods gone' });
      });
      console.log(`      rollout under load: ${sent} requests at ${RATE}/s over ${Math.round((Date.now() - started) / 1000)} s, ${lost} lost`);
      expect(sent).to.be.above(RATE * 10);
      expect(lost).to.equal(0);
      expect((await predictOnce(url)).modelVersion).to.equal(nextVersion);
    });

    it('loses no request when a serving pod is deleted', async () => {
      const url = await serviceUrl(bed, 'steady');
      const before = await livePods(bed, 'steady');
      const victim = before[0]?.metadata?.name ?? '';
      const { sent, lost } = await underLoad(url, async () => {
        await bed.cluster.core.deleteNamespacedPod({ namespace: bed.namespace, name: victim });
        await waitFor(async () => {
          const pods = await livePods(bed, 'steady');
          return !pods.some((p) => p.metadata?.name === victim) && pods.filter((p) => p.status?.containerStatuses?.[0]?.ready).length === 3;
        }, { timeoutMs: 120_000, intervalMs: 1000, what: `pod ${victim} gone and 3 ready pods again` });
      });
      console.log(`      pod deletion under load: ${sent} requests, ${lost} lost`);
      expect(sent).to.be.above(RATE * 5);
      expect(lost).to.equal(0);
    });
  });
});
