import { expect } from 'chai';
import type { V1Pod, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { withDefaults, type RiskModel } from '../api/riskmodel.js';
import { findCondition } from './conditions.js';
import { Reason } from '../api/reasons.js';
import { CPU_DEADBAND_POINTS } from './autoscaling.js';
import { deriveStatus, rolloutComplete, statusEqual, type Observed, type StatusInput } from './status.js';
import type { Delivery } from './served.js';
import { deploymentStatus, riskModel, TEST_IMAGE } from '../testing/fixtures.js';
import { CONFIG_HASH_ANNOTATION } from '../api/labels.js';

const now = new Date('2026-03-01T12:00:00Z');
const later = new Date('2026-03-01T12:10:00Z');
/** What delivery concluded, but the history: these cases leave it unchanged. */
type Outcome = Omit<Delivery, 'history'>;
const imageModel: Outcome = { served: { source: 'image' } };

function input(observed: Observed, outcome: Outcome = imageModel, rm: RiskModel = riskModel(), at = now): StatusInput {
  return { riskModel: rm, spec: withDefaults(rm.spec, TEST_IMAGE), observed, delivery: { ...outcome, history: 'unchanged' }, now: at };
}

const hpa = (desiredReplicas: number, cpu?: number): V2HorizontalPodAutoscaler => ({
  spec: { maxReplicas: 5, scaleTargetRef: { kind: 'Deployment', name: 'demo' } },
  status: {
    desiredReplicas,
    currentReplicas: desiredReplicas,
    lastScaleTime: new Date('2026-03-01T11:59:00Z'),
    ...(cpu === undefined ? {} : { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cpu } } }] }),
  },
});

const cond = (status: ReturnType<typeof deriveStatus>, type: string) => findCondition(status.conditions, type)!;

describe('status derivation', () => {
  const cases: [string, Observed, Outcome, [string, string, string][]][] = [
    ['is not Ready while the Deployment does not exist yet', {}, imageModel, [['Ready', 'False', Reason.DeploymentMissing], ['Progressing', 'True', Reason.RollingOut], ['Degraded', 'False', Reason.AsExpected]]],
    ['is Progressing while pods are still rolling out', { deployment: deploymentStatus({ replicas: 2, ready: 1, updated: 1 }) }, imageModel, [['Ready', 'False', Reason.RollingOut], ['Progressing', 'True', Reason.RollingOut]]],
    ['is Progressing while the Deployment controller has not seen the latest spec', { deployment: deploymentStatus({ replicas: 2, ready: 2, generation: 3, observedGeneration: 2 }) }, imageModel, [['Ready', 'False', Reason.RollingOut]]],
    ['is Ready when the rollout is complete and readyReplicas ≥ minReplicas', { deployment: deploymentStatus({ replicas: 2, ready: 2 }), hpa: hpa(2) }, imageModel, [['Ready', 'True', Reason.Available], ['Progressing', 'False', Reason.RolloutComplete], ['Degraded', 'False', Reason.AsExpected]]],
    ['is not Ready when the rollout is complete but fewer than minReplicas pods are ready', { deployment: deploymentStatus({ replicas: 1, ready: 1 }) }, imageModel, [['Ready', 'False', Reason.InsufficientReplicas]]],
    [
      'is Degraded and not Ready while a problem blocks the spec, even though the previous version still serves',
      { deployment: deploymentStatus({ replicas: 2, ready: 2 }) },
      { problem: { reason: Reason.ConfigMapNotFound, message: 'ConfigMap team-a/m does not exist' } },
      [['Ready', 'False', Reason.ConfigMapNotFound], ['Progressing', 'False', Reason.Blocked], ['Degraded', 'True', Reason.ConfigMapNotFound]],
    ],
    ['is Degraded and not Ready when nothing runs and the model is invalid', {}, { problem: { reason: Reason.InvalidModel, message: 'bad' } }, [['Ready', 'False', Reason.InvalidModel], ['Degraded', 'True', Reason.InvalidModel]]],
  ];
  for (const [name, observed, outcome, expected] of cases) {
    it(name, () => {
      const status = deriveStatus(input(observed, outcome));
      for (const [type, value, reason] of expected) expect(cond(status, type), type).to.include({ status: value, reason });
    });
  }

  // kstatus (sigs.k8s.io/cli-utils): Reconciling=True reads InProgress, Stalled=True reads Failed, else Ready=True reads Current.
  const kstatus: [string, Observed, Outcome, [string, string][]][] = [
    ['marks a rollout Reconciling and not Stalled', { deployment: deploymentStatus({ replicas: 2, ready: 1, updated: 1 }) }, imageModel, [['Reconciling', 'True'], ['Stalled', 'False']]],
    ['marks a Ready RiskModel neither Reconciling nor Stalled', { deployment: deploymentStatus({ replicas: 2, ready: 2 }) }, imageModel, [['Ready', 'True'], ['Reconciling', 'False'], ['Stalled', 'False']]],
    ['marks a problem the user must fix Stalled and not Reconciling', {}, { problem: { reason: Reason.InvalidModel, message: 'bad' } }, [['Reconciling', 'False'], ['Stalled', 'True']]],
    ['marks a canary under analysis Reconciling', { deployment: deploymentStatus({ replicas: 2, ready: 2 }) }, { ...imageModel, canary: { revision: 2, phase: 'Analyzing', templateHash: 'h', startedAt: 'x', replicas: 1, readyReplicas: 1, message: 'm' } }, [['Reconciling', 'True'], ['Stalled', 'False']]],
  ];
  for (const [name, observed, outcome, expected] of kstatus) {
    it(name, () => {
      const status = deriveStatus(input(observed, outcome));
      for (const [type, value] of expected) expect(cond(status, type), type).to.include({ status: value });
    });
  }

  it('is Degraded, Stalled and not Ready with the pods\' own reason when a pod of the current template cannot pull its image', () => {
    const d = deploymentStatus({ replicas: 2, ready: 0, updated: 2, available: 0 });
    d.spec!.template = { metadata: { annotations: { [CONFIG_HASH_ANNOTATION]: 'h1' } } };
    const stuck: V1Pod = {
      metadata: { name: 'demo-abc', annotations: { [CONFIG_HASH_ANNOTATION]: 'h1' } },
      status: { containerStatuses: [{ name: 'inference', image: 'nowhere/x:1', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nowhere/x:1"' } } }] },
    };
    const status = deriveStatus(input({ deployment: d, pods: [stuck] }));
    for (const type of ['Ready', 'Degraded', 'Stalled']) expect(cond(status, type).reason, type).to.equal(Reason.ImagePullFailed);
    expect(cond(status, 'Degraded')).to.include({ status: 'True', message: 'pod demo-abc container inference cannot pull image "nowhere/x:1": ImagePullBackOff: Back-off pulling image "nowhere/x:1"' });
    expect(cond(status, 'Ready').status).to.equal('False');
    // The pods recover (a fixed image rolls a new template): the problem clears by itself.
    const fixed = deriveStatus(input({ deployment: deploymentStatus({ replicas: 2, ready: 2 }), pods: [stuck] }, imageModel, { ...riskModel(), status }));
    expect(cond(fixed, 'Degraded')).to.include({ status: 'False', reason: Reason.AsExpected });
    expect(cond(fixed, 'Ready').status).to.equal('True');
  });

  it('reports a stuck rollout (progress deadline exceeded) as Degraded', () => {
    const d = deploymentStatus({ replicas: 3, ready: 2, updated: 1 });
    d.status!.conditions = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "demo-1" has timed out progressing.' }];
    const status = deriveStatus(input({ deployment: d }));
    expect(cond(status, 'Degraded')).to.include({ status: 'True', reason: Reason.RolloutStuck });
  });

  it('says in the Ready message that the previous version keeps serving while blocked', () => {
    const status = deriveStatus(input({ deployment: deploymentStatus({ replicas: 2, ready: 2 }) }, { problem: { reason: Reason.InvalidModel, message: 'bad artifact' } }));
    expect(cond(status, 'Ready').message).to.equal('bad artifact (the previous version keeps serving)');
  });

  it('copies counts and autoscaler figures from what it observed', () => {
    const status = deriveStatus(input({ deployment: deploymentStatus({ replicas: 3, ready: 2, updated: 3, available: 3 }), hpa: hpa(4, 83) }));
    expect(status).to.include({ replicas: 3, readyReplicas: 2, desiredReplicas: 4, currentCPUUtilizationPercentage: 83, lastScaleTime: '2026-03-01T11:59:00Z', observedGeneration: 1 });
  });

  it('publishes the Service endpoint with the configured port', () => {
    const status = deriveStatus(input({}, imageModel, riskModel({ service: { port: 8000 } }, 'fraud', 'ml')));
    expect(status.endpoint).to.equal('http://fraud.ml.svc.cluster.local:8000');
  });

  it('keeps the previous modelVersion while a problem blocks the new model', () => {
    const rm = riskModel();
    rm.status = { modelVersion: 'v0-abcdef12' };
    const status = deriveStatus(input({}, { problem: { reason: Reason.InvalidModel, message: 'bad' } }, rm));
    expect(status.modelVersion).to.equal('v0-abcdef12');
  });

  it('omits HPA figures the autoscaler has not reported yet', () => {
    const status = deriveStatus(input({ deployment: deploymentStatus({ replicas: 2, ready: 2 }) }));
    expect(status).not.to.have.any.keys('desiredReplicas', 'currentCPUUtilizationPercentage', 'lastScaleTime');
  });

  it('derives an equal status from the same observation later, so an idle resync writes nothing', () => {
    const observed = { deployment: deploymentStatus({ replicas: 2, ready: 2 }), hpa: hpa(2, 10) };
    const rm = riskModel();
    rm.status = deriveStatus(input(observed, imageModel, rm, now));
    const again = deriveStatus(input(observed, imageModel, rm, later));
    expect(statusEqual(rm.status, again)).to.be.true;
  });

  it('does not turn metrics jitter into status writes: a CPU reading within the deadband of the published one is not a change', () => {
    const rm = riskModel();
    const deployment = deploymentStatus({ replicas: 2, ready: 2 });
    rm.status = deriveStatus(input({ deployment, hpa: hpa(2, 40) }, imageModel, rm));
    const jitter = deriveStatus(input({ deployment, hpa: hpa(2, 40 + CPU_DEADBAND_POINTS - 1) }, imageModel, rm, later));
    expect(statusEqual(rm.status, jitter)).to.be.true;
    const moved = deriveStatus(input({ deployment, hpa: hpa(2, 40 + CPU_DEADBAND_POINTS) }, imageModel, rm, later));
    expect(moved.currentCPUUtilizationPercentage).to.equal(40 + CPU_DEADBAND_POINTS);
    expect(moved.autoscaling?.metrics, 'status.autoscaling moves with it').to.deep.equal([{ type: 'CPU', current: 40 + CPU_DEADBAND_POINTS, target: withDefaults(rm.spec, TEST_IMAGE).targetCPUUtilizationPercentage }]);
  });

  it('publishes the exact CPU reading whenever something else changes anyway', () => {
    const rm = riskModel();
    rm.status = deriveStatus(input({ deployment: deploymentStatus({ replicas: 2, ready: 2 }), hpa: hpa(2, 40) }, imageModel, rm));
    const next = deriveStatus(input({ deployment: deploymentStatus({ replicas: 3, ready: 3 }), hpa: hpa(3, 42) }, imageModel, rm, later));
    expect(next).to.include({ replicas: 3, currentCPUUtilizationPercentage: 42 });
  });

  it('sees a change when readiness flips', () => {
    const rm = riskModel();
    rm.status = deriveStatus(input({ deployment: deploymentStatus({ replicas: 2, ready: 1, updated: 1 }) }, imageModel, rm));
    const next = deriveStatus(input({ deployment: deploymentStatus({ replicas: 2, ready: 2 }) }, imageModel, rm, later));
    expect(statusEqual(rm.status, next)).to.be.false;
    expect(cond(next, 'Ready').lastTransitionTime).to.equal('2026-03-01T12:10:00Z');
  });

  it('uses kubectl rollout-status semantics for completeness', () => {
    expect(rolloutComplete(deploymentStatus({ replicas: 2, ready: 2 }))).to.be.true;
    expect(rolloutComplete(deploymentStatus({ replicas: 3, ready: 3, updated: 2 }))).to.be.false;
    expect(rolloutComplete(deploymentStatus({ replicas: 2, ready: 2, available: 1 }))).to.be.false;
  });
});

describe('status derivation: request metrics the autoscaler cannot read', () => {
  it('turns Degraded and Stalled with MetricsUnavailable once the HPA has failed for a minute, and shows each metric in status.autoscaling', () => {
    const rm = riskModel({ autoscaling: { metrics: [{ type: 'RequestsPerSecond', targetAveragePerPod: 30 }] } });
    const failing: V2HorizontalPodAutoscaler = {
      spec: { maxReplicas: 5, scaleTargetRef: { kind: 'Deployment', name: 'demo' } },
      status: { desiredReplicas: 2, conditions: [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetPodsMetric', message: 'unable to get metric http_requests_per_second', lastTransitionTime: new Date(now.getTime() - 61_000) }] },
    };
    const status = deriveStatus({ ...input({ deployment: deploymentStatus({ replicas: 2, ready: 2 }), hpa: failing }, imageModel, rm), spec: withDefaults(rm.spec, TEST_IMAGE) });
    expect(cond(status, 'Degraded')).to.include({ status: 'True', reason: 'MetricsUnavailable' });
    expect(cond(status, 'Stalled')).to.include({ status: 'True', reason: 'MetricsUnavailable' });
    expect(cond(status, 'Degraded').message).to.contain('unable to get metric http_requests_per_second');
    expect(status.autoscaling).to.deep.equal({ metrics: [{ type: 'RequestsPerSecond', target: 30 }], summary: 'RequestsPerSecond ?/30 req/s' });
  });
});
