import { expect } from 'chai';
import type { RiskModelSpec } from '../api/riskmodel.js';
import { findCondition } from '../model/conditions.js';
import { EventReason, Reason } from '../api/reasons.js';
import { modelArtifact } from '../testing/fixtures.js';
import { mounted, world } from '../testing/delivery-world.js';

describe('canary rollouts', () => {
  const canarySpec: Partial<RiskModelSpec> = { rollout: { strategy: 'Canary', canary: { weight: 50, analysisSeconds: 30, readyTimeoutSeconds: 60, maxErrorRatio: 0.05, maxP99LatencyMs: 200, minRequests: 10 } } };
  const healthy = { pods: 2, readyPods: 2, restarts: 0, requests: 100, errors: 0, errorRatio: 0, p99LatencyMs: 12, smoke: { passed: true, message: 'every canary pod answered' } };

  async function servingTwo() {
    const w = world(canarySpec);
    w.put(modelArtifact(1));
    await w.run();
    w.cluster.deployment('team-a', 'demo')!.spec!.replicas = 4; // the HPA's count
    w.cluster.rollOut('team-a', 'demo', 4);
    await w.run();
    return w;
  }

  it('moves a Deployment from before snapshots (mounting the user ConfigMap) to a snapshot without a canary', async () => {
    const w = world(canarySpec);
    w.put(modelArtifact(1));
    await w.run();
    const legacy = w.cluster.deployment('team-a', 'demo')!;
    const template = legacy.spec!.template;
    template.metadata!.annotations = { 'riskmodel.dev/config-hash': 'old' };
    template.spec!.volumes = [{ name: 'model', configMap: { name: 'risk-model' } }];
    w.put(modelArtifact(2));
    await w.run();
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    expect(mounted(w.cluster.deployment('team-a', 'demo'))).to.match(/^demo-model-/);
    expect(w.current().status).to.include({ revision: 2 });
  });

  it('skips the canary on the first deployment and runs a new revision in a second Deployment sized to the weight', async () => {
    const w = await servingTwo();
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    const stable = structuredClone(w.cluster.deployment('team-a', 'demo'));
    w.put(modelArtifact(2));
    const result = await w.run();
    const canary = w.cluster.deployment('team-a', 'demo-canary')!;
    expect(canary.spec?.replicas).to.equal(2);
    expect(canary.spec?.selector.matchLabels).to.include({ 'riskmodel.dev/track': 'canary' });
    expect(mounted(canary)).to.not.equal(mounted(stable));
    expect(w.cluster.deployment('team-a', 'demo')!.spec!.template).to.deep.equal(stable!.spec!.template);
    expect(w.current().status?.canary).to.include({ revision: 2, phase: 'Starting' });
    expect(findCondition(w.current().status!.conditions, 'Ready')).to.include({ status: 'False', reason: Reason.CanaryAnalysis });
    expect(result.action).to.deep.equal({ requeueAfterMs: 5000 });
  });

  it('promotes a canary that passes its analysis, holds the HPA replica count, and deletes the canary once the stable pods run it', async () => {
    const w = await servingTwo();
    w.put(modelArtifact(2));
    await w.run();
    w.analyzer.figures = healthy;
    await w.run();
    expect(w.current().status?.canary).to.include({ phase: 'Analyzing' });
    w.later(31);
    await w.run();
    const stable = w.cluster.deployment('team-a', 'demo')!;
    expect(mounted(stable)).to.equal(mounted(w.cluster.deployment('team-a', 'demo-canary')));
    expect(stable.spec?.replicas).to.equal(4);
    expect(w.current().status).to.include({ revision: 2 });
    expect(w.current().status?.canary).to.include({ phase: 'Promoting' });
    await w.run();
    expect(w.cluster.deployment('team-a', 'demo-canary'), 'kept while the stable pods roll').to.not.equal(undefined);
    w.cluster.rollOut('team-a', 'demo', 4);
    await w.run();
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    expect(w.current().status?.canary).to.equal(undefined);
    expect(w.current().status!.history!.map((h) => [h.revision, h.result])).to.deep.equal([[1, 'Superseded'], [2, undefined]]);
    expect(w.events.events.map((e) => e.reason)).to.include.members([EventReason.CanaryStarted, EventReason.CanaryPromoted]);
  });

  it('rolls back a canary whose pods answer errors above the threshold, leaves the stable pods alone and does not try it again', async () => {
    const w = await servingTwo();
    const stable = structuredClone(w.cluster.deployment('team-a', 'demo'));
    w.put(modelArtifact(2));
    await w.run();
    w.analyzer.figures = { ...healthy, errors: 40, errorRatio: 0.4 };
    const result = await w.run();
    expect(result.degraded).to.equal(true);
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    expect(w.cluster.deployment('team-a', 'demo')!.spec!.template).to.deep.equal(stable!.spec!.template);
    const status = w.current().status!;
    const degraded = findCondition(status.conditions, 'Degraded');
    expect(degraded).to.include({ status: 'True', reason: Reason.CanaryFailed });
    expect(degraded?.message).to.contain('0.4');
    expect(status.history!.at(-1)).to.include({ revision: 2, result: 'FailedAnalysis' });
    expect(w.events.events.find((e) => e.reason === Reason.CanaryFailed)?.type).to.equal('Warning');
    const measured = w.analyzer.measured;
    await w.run();
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    expect(w.analyzer.measured).to.equal(measured);
  });

  it('fails a canary whose pod cannot pull its image at once, in the kubelet\'s words, and leaves the stable pods alone', async () => {
    const w = await servingTwo();
    const stable = structuredClone(w.cluster.deployment('team-a', 'demo'));
    w.put(modelArtifact(2));
    await w.run();
    const canary = w.cluster.deployment('team-a', 'demo-canary')!;
    const hash = canary.spec!.template.metadata!.annotations!['riskmodel.dev/config-hash']!;
    w.cluster.podObjects.set('team-a/demo-canary-1', {
      metadata: { name: 'demo-canary-1', namespace: 'team-a', labels: { 'app.kubernetes.io/instance': 'demo', 'riskmodel.dev/track': 'canary' }, annotations: { 'riskmodel.dev/config-hash': hash } },
      status: { phase: 'Pending', containerStatuses: [{ name: 'inference', image: 'nowhere/x:1', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }] },
    });
    const result = await w.run();
    expect(result.degraded).to.equal(true);
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    expect(w.cluster.deployment('team-a', 'demo')!.spec!.template).to.deep.equal(stable!.spec!.template);
    const degraded = findCondition(w.current().status!.conditions, 'Degraded');
    expect(degraded).to.include({ status: 'True', reason: Reason.CanaryFailed });
    expect(degraded?.message).to.contain('ImagePullFailed: pod demo-canary-1 container inference cannot pull image "nowhere/x:1": ErrImagePull: not found');
    expect(w.current().status!.history!.at(-1)).to.include({ revision: 2, result: 'FailedAnalysis' });
  });

  it('restarts the analysis when the spec changes the canary pod template mid-analysis', async () => {
    const w = await servingTwo();
    w.put(modelArtifact(2));
    await w.run();
    w.analyzer.figures = healthy;
    await w.run();
    const first = w.current().status!.canary!;
    w.later(20);
    w.edit((rm) => (rm.spec.resources = { requests: { cpu: '150m', memory: '128Mi' }, limits: { cpu: '300m', memory: '256Mi' } }));
    await w.run();
    const second = w.current().status!.canary!;
    expect(second.templateHash).to.not.equal(first.templateHash);
    expect(Date.parse(second.analysisStartedAt!)).to.be.greaterThan(Date.parse(first.analysisStartedAt!));
    w.later(15);
    await w.run();
    expect(w.current().status?.canary?.phase, '15 s into a restarted 30 s window').to.equal('Analyzing');
    const [before, after] = [w.analyzer.selectors[0]!, w.analyzer.selectors.at(-1)!];
    expect(after, 'only the new template\'s pods are measured, not the previous canary pods still draining').to.match(/riskmodel\.dev\/canary-template=[0-9a-f]{16}$/);
    expect(after).to.not.equal(before);
    const pods = w.cluster.deployment('team-a', 'demo-canary')!.spec!.template.metadata!.labels!;
    expect(after).to.contain(`riskmodel.dev/canary-template=${pods['riskmodel.dev/canary-template']}`);
  });

  it('never tries a failed canary again, even after ten more revisions pushed its entry out of status.history (issue 18: the record lived only in the trimmed history)', async () => {
    const w = await servingTwo();
    const faulty = modelArtifact(2);
    w.put(faulty);
    await w.run();
    w.analyzer.figures = { ...healthy, errors: 40, errorRatio: 0.4 };
    await w.run();
    expect(w.current().status!.history!.at(-1)).to.include({ revision: 2, result: 'FailedAnalysis' });
    w.analyzer.figures = healthy;
    for (const seed of [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
      w.put(modelArtifact(seed));
      await w.run();
      await w.run();
      w.later(31);
      await w.run();
      w.cluster.rollOut('team-a', 'demo', 4);
      await w.run();
      expect(w.cluster.deployment('team-a', 'demo-canary'), `canary of seed ${seed} promoted and gone`).to.equal(undefined);
    }
    expect(w.current().status!.history!.some((h) => h.result === 'FailedAnalysis'), 'the failure fell out of the trimmed history').to.equal(false);
    const measured = w.analyzer.measured;
    w.put(faulty);
    const result = await w.run();
    expect(result.degraded).to.equal(true);
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    expect(w.analyzer.measured).to.equal(measured);
    const degraded = findCondition(w.current().status!.conditions, 'Degraded');
    expect(degraded).to.include({ status: 'True', reason: Reason.CanaryFailed });
    expect(degraded?.message).to.contain('0.4');
  });

  it('records the failed canary on the RiskModel before it deletes the canary, and tries the same content again with a changed pod spec', async () => {
    const w = await servingTwo();
    w.put(modelArtifact(2));
    await w.run();
    w.analyzer.figures = { ...healthy, errors: 40, errorRatio: 0.4 };
    await w.run();
    const [record] = JSON.parse(w.current().metadata.annotations!['riskmodel.dev/failed-canaries']!) as Array<{ revision: number; templateHash: string; message: string }>;
    expect(record).to.include({ revision: 2 });
    expect(record!.message).to.contain('0.4');
    expect(w.cluster.annotations).to.have.length(1);
    w.analyzer.figures = healthy;
    w.edit((rm) => (rm.spec.resources = { requests: { cpu: '150m', memory: '128Mi' }, limits: { cpu: '300m', memory: '256Mi' } }));
    await w.run();
    const canary = w.cluster.deployment('team-a', 'demo-canary');
    expect(canary, 'a new pod template is a new canary').to.not.equal(undefined);
    expect(canary!.spec!.template.metadata!.annotations!['riskmodel.dev/config-hash']).to.not.equal(record!.templateHash);
  });
});
