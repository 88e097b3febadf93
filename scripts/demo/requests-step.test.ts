import { expect } from 'chai';
import { DEFAULT_RATE } from './options.js';
import { rateForMax, requestsFailure, suggestedRate, type RequestsObservation } from './requests-step.js';
import { loadSample } from './steps.js';

const obs = (over: Partial<RequestsObservation>): RequestsObservation => ({
  currentReplicas: 1, desiredReplicas: 2, readyReplicas: 1, cpuPercent: undefined, targetCpuPercent: undefined,
  requestsPerPod: 180, targetRequestsPerPod: 100, notScaling: undefined, answeredPerSecond: 590, ...over,
});

const plan = { rate: 600, target: 100, maxReplicas: 3 };

describe('demo step 5 on requests a second', () => {
  it('needs more than (maxReplicas - 1) × target, plus the HPA\'s 10 % tolerance, answered a second', () => {
    // From 2 pods at 221 req/s: 110.5 per pod, 1.105 × target, outside the tolerance: ceil(221 / 100) = 3.
    expect(rateForMax(100, 3)).to.equal(220);
    expect(rateForMax(40, 4)).to.equal(132);
    expect(rateForMax(100, 1)).to.equal(0);
  });

  it('suggests half as much again, rounded up to 50, never above the highest --rate', () => {
    expect(suggestedRate(220)).to.equal(350);
    expect(suggestedRate(4000)).to.equal(5000);
  });

  it('gives the sample a target that the default rate needs maxReplicas for, on the real node (3) and in the sample itself', () => {
    const spec = loadSample().spec;
    const rps = spec.autoscaling?.metrics?.find((m) => m.type === 'RequestsPerSecond');
    expect(rps?.targetAveragePerPod, 'the sample scales on requests a second').to.be.a('number');
    const target = rps!.targetAveragePerPod!;
    // At least twice what the real node's 3 need, so a busy machine answering less than it is sent still gets there.
    expect(DEFAULT_RATE).to.be.at.least(2 * rateForMax(target, 3));
    expect(Math.ceil(DEFAULT_RATE / target)).to.be.at.least(spec.maxReplicas ?? 0);
    expect(spec.targetCPUUtilizationPercentage, 'the CPU target --scale-on cpu uses').to.be.a('number');
  });

  it('says the HPA cannot read the metric, in its words, and where to look, when the adapter is missing', () => {
    const message = requestsFailure(obs({ requestsPerPod: undefined, desiredReplicas: 1, notScaling: 'FailedGetPodsMetric: unable to get metric http_requests_per_second' }), plan, 180);
    expect(message).to.match(/^the HPA did not want maxReplicas=3 within 180 s\. Measured: sent 600 req\/s, answered 590 req\/s; the HPA read no reading yet per pod/);
    expect(message).to.include('the HPA cannot read http_requests_per_second (FailedGetPodsMetric: unable to get metric http_requests_per_second): is prometheus-adapter running?');
    expect(message).to.include('--scale-on cpu');
  });

  it('blames the machine, not the rate, when fewer requests were answered than maxReplicas needs', () => {
    const message = requestsFailure(obs({ answeredPerSecond: 150, requestsPerPod: 75, currentReplicas: 2, desiredReplicas: 2, readyReplicas: 2 }), plan, 180);
    expect(message).to.include('maxReplicas needs more than 220 req/s answered');
    expect(message).to.include('answered only 150 of 600 req/s');
  });

  it('points at the pods when the HPA wants more than are Ready', () => {
    expect(requestsFailure(obs({ desiredReplicas: 3, readyReplicas: 2, currentReplicas: 3 }), plan, 180)).to.include('the pods the HPA asked for are not Ready');
  });

  it('says so when the HPA could not be read at all', () => {
    expect(requestsFailure(undefined, plan, 180)).to.equal('the HPA did not want maxReplicas=3 within 180 s: it could not be read (kubectl get hpa)');
  });
});
