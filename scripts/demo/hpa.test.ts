import { expect } from 'chai';
import { hpaFigures, type HpaAndDeploymentList } from './hpa.js';

describe('demo HPA figures', () => {
  it('reads the HPA\'s replicas, CPU reading and target, and the Deployment\'s ready pods', () => {
    const list: HpaAndDeploymentList = {
      items: [
        {
          kind: 'HorizontalPodAutoscaler',
          spec: { maxReplicas: 3, metrics: [{ resource: { name: 'cpu', target: { averageUtilization: 50 } } }] },
          status: { currentReplicas: 2, desiredReplicas: 3, currentMetrics: [{ resource: { name: 'cpu', current: { averageUtilization: 71 } } }] },
        },
        { kind: 'Deployment', status: { readyReplicas: 2 } },
      ],
    };
    expect(hpaFigures(list)).to.deep.equal({
      currentReplicas: 2, desiredReplicas: 3, readyReplicas: 2, cpuPercent: 71, targetCpuPercent: 50, requestsPerPod: undefined, targetRequestsPerPod: undefined, notScaling: undefined,
    });
  });

  it('reads the requests-a-second reading and target per pod, as the quantities the HPA writes', () => {
    const figures = hpaFigures({
      items: [{
        kind: 'HorizontalPodAutoscaler',
        spec: { metrics: [{ pods: { metric: { name: 'http_requests_per_second' }, target: { averageValue: '100' } } }] },
        status: { currentReplicas: 1, desiredReplicas: 3, currentMetrics: [{ pods: { metric: { name: 'http_requests_per_second' }, current: { averageValue: '587433m' } } }] },
      }],
    });
    expect(figures).to.include({ requestsPerPod: 587.4, targetRequestsPerPod: 100, cpuPercent: undefined, targetCpuPercent: undefined });
  });

  it('ignores another Pods metric (in-flight requests) when reading requests a second', () => {
    const figures = hpaFigures({
      items: [{
        kind: 'HorizontalPodAutoscaler',
        spec: { metrics: [{ pods: { metric: { name: 'http_requests_in_flight' }, target: { averageValue: '4' } } }] },
        status: { currentMetrics: [{ pods: { metric: { name: 'http_requests_in_flight' }, current: { averageValue: '9' } } }] },
      }],
    });
    expect(figures.requestsPerPod).to.equal(undefined);
    expect(figures.targetRequestsPerPod).to.equal(undefined);
  });

  it('says when the HPA cannot read a metric, in its own words', () => {
    const figures = hpaFigures({
      items: [{
        kind: 'HorizontalPodAutoscaler',
        status: { conditions: [{ type: 'AbleToScale', status: 'True' }, { type: 'ScalingActive', status: 'False', reason: 'FailedGetPodsMetric', message: 'unable to get metric http_requests_per_second' }] },
      }],
    });
    expect(figures.notScaling).to.equal('FailedGetPodsMetric: unable to get metric http_requests_per_second');
  });

  it('has no CPU reading before metrics-server reported the pods', () => {
    const figures = hpaFigures({ items: [{ kind: 'HorizontalPodAutoscaler', status: { currentReplicas: 1, desiredReplicas: 1, currentMetrics: [{}] } }] });
    expect(figures.cpuPercent).to.equal(undefined);
    expect(figures.readyReplicas).to.equal(0);
  });

  it('refuses an answer without the HPA', () => {
    expect(() => hpaFigures({ items: [{ kind: 'Deployment' }] })).to.throw('no HorizontalPodAutoscaler in the answer');
  });
});
