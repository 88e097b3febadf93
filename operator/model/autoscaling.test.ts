import { expect } from 'chai';
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { withDefaults, type AutoscalingMetric } from '../api/riskmodel.js';
import { riskModel, TEST_IMAGE } from '../testing/fixtures.js';
import { desired } from './desired.js';
import { autoscalingStatus, CPU_DEADBAND_POINTS, METRICS_GRACE_MS, metricsProblem, quantityValue } from './autoscaling.js';

const specWith = (metrics?: AutoscalingMetric[]) => {
  const rm = riskModel(metrics ? { autoscaling: { metrics } } : {});
  return { rm, spec: withDefaults(rm.spec, TEST_IMAGE) };
};
const rps = { type: 'RequestsPerSecond', targetAveragePerPod: 50 } as const;
const inFlight = { type: 'InFlightRequests', targetAveragePerPod: 2.5 } as const;
const now = new Date('2026-05-01T00:10:00Z');

/** An HPA reporting `current` per metric and, optionally, that it cannot read a Pods metric since `since`. */
function hpa(current: { cpu?: number; rps?: string; inFlight?: string }, failingSince?: string): V2HorizontalPodAutoscaler {
  const currentMetrics = [
    ...(current.cpu === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current.cpu } } }]),
    ...(current.rps === undefined ? [] : [{ type: 'Pods', pods: { metric: { name: 'http_requests_per_second' }, current: { averageValue: current.rps } } }]),
    ...(current.inFlight === undefined ? [] : [{ type: 'Pods', pods: { metric: { name: 'http_requests_in_flight' }, current: { averageValue: current.inFlight } } }]),
  ];
  const conditions = failingSince
    ? [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetPodsMetric', message: 'the HPA was unable to compute the replica count: unable to get metric http_requests_per_second: no custom metrics API (custom.metrics.k8s.io) registered', lastTransitionTime: new Date(failingSince) }]
    : [];
  return { spec: { maxReplicas: 5, scaleTargetRef: { kind: 'Deployment', name: 'demo' } }, status: { desiredReplicas: 2, currentMetrics, conditions } };
}

describe('autoscaling metrics', () => {
  it('keeps the HPA on CPU alone at targetCPUUtilizationPercentage without spec.autoscaling (today\'s specs unchanged)', () => {
    const { rm, spec } = specWith();
    expect(desired(rm, spec, { source: 'image' }).hpa.spec?.metrics).to.deep.equal([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
  });

  it('gives the HPA every listed metric: requests a second and in-flight as Pods metrics with an average per pod, CPU defaulting to the short form', () => {
    const { rm, spec } = specWith([{ type: 'CPU' }, rps, inFlight]);
    expect(desired(rm, spec, { source: 'image' }).hpa.spec?.metrics).to.deep.equal([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Pods', pods: { metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '50' } } },
      { type: 'Pods', pods: { metric: { name: 'http_requests_in_flight' }, target: { type: 'AverageValue', averageValue: '2500m' } } },
    ]);
  });

  const quantities: Array<[string, number]> = [['19866m', 19.866], ['50', 50], ['2k', 2000], ['0', 0], ['1.5', 1.5]];
  for (const [q, n] of quantities) it(`reads the quantity ${q} as ${n}`, () => expect(quantityValue(q)).to.equal(n));
  it('reads no number from a quantity it does not know', () => expect(quantityValue('12Ki')).to.be.NaN);

  it('reports each metric\'s reading against its target on one line', () => {
    const { spec } = specWith([rps, { type: 'CPU', targetUtilizationPercentage: 60 }]);
    expect(autoscalingStatus(spec, hpa({ cpu: 41, rps: '19866m' }))).to.deep.equal({
      metrics: [{ type: 'RequestsPerSecond', current: 19.87, target: 50 }, { type: 'CPU', current: 41, target: 60 }],
      summary: 'RequestsPerSecond 19.87/50 req/s, CPU 41/60%',
    });
  });

  it('reports the CPU short form too, so the Scaling column shows what every RiskModel scales on', () => {
    const { spec } = specWith();
    const target = spec.targetCPUUtilizationPercentage;
    expect(autoscalingStatus(spec, hpa({ cpu: 41 }))).to.deep.equal({ metrics: [{ type: 'CPU', current: 41, target }], summary: `CPU 41/${target}%` });
    expect(autoscalingStatus(spec, undefined).summary, 'before the HPA has read anything').to.equal(`CPU ?/${target}%`);
  });

  it('keeps the published reading while a new one stays within the deadband: 5 % of a request target, CPU_DEADBAND_POINTS of CPU (no status write for jitter)', () => {
    const { spec } = specWith([rps, { type: 'CPU', targetUtilizationPercentage: 60 }]);
    const published = [{ type: 'RequestsPerSecond' as const, current: 40, target: 50 }, { type: 'CPU' as const, current: 30, target: 60 }];
    const currents = (cpu: number, r: string) => autoscalingStatus(spec, hpa({ cpu, rps: r }), published).metrics.map((m) => m.current);
    expect(currents(30 + CPU_DEADBAND_POINTS - 1, '42')).to.deep.equal([40, 30]);
    expect(currents(30 + CPU_DEADBAND_POINTS, '43')).to.deep.equal([43, 30 + CPU_DEADBAND_POINTS]);
    expect(autoscalingStatus(spec, hpa({ cpu: 31, rps: '41' })).metrics.map((m) => m.current), 'without the published readings: exact').to.deep.equal([41, 31]);
  });

  it('says MetricsUnavailable, in the HPA\'s words, once the HPA has failed to read a request metric for a minute — never a silent CPU fallback', () => {
    const { spec } = specWith([rps]);
    const { problem } = metricsProblem(spec, hpa({}, '2026-05-01T00:08:00Z'), now);
    expect(problem?.reason).to.equal('MetricsUnavailable');
    expect(problem?.message).to.contain('the autoscaler cannot read RequestsPerSecond (http_requests_per_second) from the custom metrics API');
    expect(problem?.message).to.contain('no custom metrics API (custom.metrics.k8s.io) registered');
  });

  it('gives a new pod\'s first scrape its grace, asking to be looked at again when it ends', () => {
    const { spec } = specWith([rps]);
    expect(metricsProblem(spec, hpa({}, '2026-05-01T00:09:45Z'), now)).to.deep.equal({ recheckMs: METRICS_GRACE_MS - 15_000 });
  });

  it('leaves a CPU-only RiskModel alone whatever the HPA says of Pods metrics', () => {
    expect(metricsProblem(specWith().spec, hpa({}, '2026-05-01T00:00:00Z'), now)).to.deep.equal({});
  });
});
