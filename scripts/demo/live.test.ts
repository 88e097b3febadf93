import { expect } from 'chai';
import { formatLive } from './live.js';
import type { RiskModelObject } from './riskmodel.js';

const rm = (status: RiskModelObject['status']): RiskModelObject => ({
  apiVersion: 'riskmodel.dev/v1alpha1',
  kind: 'RiskModel',
  metadata: { name: 'demo', namespace: 'riskmodel-demo' },
  spec: { minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70, model: { version: 'v1' } },
  status,
});

describe('demo live view', () => {
  it('draws replicas against maxReplicas with ready, desired and CPU against the target', () => {
    expect(formatLive(rm({ replicas: 3, readyReplicas: 2, desiredReplicas: 5, currentCPUUtilizationPercentage: 190 }), 12.4))
      .to.equal('t=  12s  replicas ███·· 3 (ready 2, desired 5)  CPU 190% / target 70%');
  });

  it('shows each metric\'s reading against its target when the RiskModel scales on spec.autoscaling.metrics', () => {
    const summary = 'RequestsPerSecond 203.4/100 req/s';
    expect(formatLive(rm({ replicas: 3, readyReplicas: 3, desiredReplicas: 5, autoscaling: { metrics: [{ type: 'RequestsPerSecond', current: 203.4, target: 100 }], summary } }), 40))
      .to.equal(`t=  40s  replicas ███·· 3 (ready 3, desired 5)  ${summary}`);
  });

  it('shows dashes while the HPA has not reported yet', () => {
    expect(formatLive(rm(undefined), 0)).to.equal('t=   0s  replicas ····· 0 (ready 0, desired -)  CPU - / target 70%');
  });
});
