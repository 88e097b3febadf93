import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { expect } from 'chai';
import { hpaReading, meanPodValue, metricOf } from './readings.js';

const hpa = (currentMetrics: NonNullable<V2HorizontalPodAutoscaler['status']>['currentMetrics']): V2HorizontalPodAutoscaler => ({ spec: { maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'x' } }, status: { desiredReplicas: 2, currentMetrics } });

describe('bench:autoscaling readings', () => {
  it('asks for CPU as a utilization target and requests a second as a per-pod average', () => {
    expect(metricOf({ name: 'cpu', scaler: 'CPU', target: 50 })).to.deep.equal({ type: 'CPU', targetUtilizationPercentage: 50 });
    expect(metricOf({ name: 'rps', scaler: 'RequestsPerSecond', target: 40 })).to.deep.equal({ type: 'RequestsPerSecond', targetAveragePerPod: 40 });
  });

  it('reads the HPA\'s CPU utilization and its per-pod request rate (a quantity such as 39866m), each for its own scaler', () => {
    const both = hpa([
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 26 } } },
      { type: 'Pods', pods: { metric: { name: 'http_requests_per_second' }, current: { averageValue: '39866m' } } },
    ]);
    expect(hpaReading(both, 'CPU')).to.equal(26);
    expect(hpaReading(both, 'RequestsPerSecond')).to.be.closeTo(39.866, 1e-9);
  });

  it('has no reading before the HPA\'s first, or for another Pods metric', () => {
    expect(hpaReading(hpa(undefined), 'CPU')).to.equal(undefined);
    expect(hpaReading(hpa([{ type: 'Pods', pods: { metric: { name: 'http_requests_in_flight' }, current: { averageValue: '3' } } }]), 'RequestsPerSecond')).to.equal(undefined);
  });

  it('averages a custom metrics list over its pods, skipping values that are no quantity, and has none for no pods', () => {
    expect(meanPodValue({ items: [{ value: '40' }, { value: '38500m' }, { value: 'x' }] })).to.equal(39.25);
    expect(meanPodValue({ items: [] })).to.equal(undefined);
    expect(meanPodValue({})).to.equal(undefined);
  });
});
