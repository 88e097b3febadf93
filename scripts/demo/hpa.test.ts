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
    expect(hpaFigures(list)).to.deep.equal({ currentReplicas: 2, desiredReplicas: 3, readyReplicas: 2, cpuPercent: 71, targetCpuPercent: 50 });
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
