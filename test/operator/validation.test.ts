// Proof 5 (cluster): the API server itself refuses bad RiskModel specs, with a message that
// names the field, and fills in the documented defaults on good ones. No operator involved.
import { expect } from 'chai';
import { apiMessage, apiStatus, type RiskModelSpec } from './harness/api.js';
import { riskModel } from './harness/fixtures.js';
import { kubectl, useTestbed } from './harness/testbed.js';

const invalid: [string, Partial<RiskModelSpec>, string][] = [
  ['minReplicas 0', { minReplicas: 0 }, 'spec.minReplicas'],
  ['minReplicas above maxReplicas', { minReplicas: 4, maxReplicas: 2 }, 'maxReplicas'],
  ['maxReplicas 0', { minReplicas: 1, maxReplicas: 0 }, 'spec.maxReplicas'],
  ['a target CPU utilization of 0', { targetCPUUtilizationPercentage: 0 }, 'spec.targetCPUUtilizationPercentage'],
  ['a target CPU utilization of 101', { targetCPUUtilizationPercentage: 101 }, 'spec.targetCPUUtilizationPercentage'],
  ['fractional minReplicas', { minReplicas: 2.5 }, 'spec.minReplicas'],
  ['fractional maxReplicas', { maxReplicas: 3.5 }, 'spec.maxReplicas'],
  ['a scale-down window above an hour', { scaleDownStabilizationSeconds: 3601 }, 'spec.scaleDownStabilizationSeconds'],
  ['an unknown service type', { service: { type: 'Internal' } }, 'spec.service.type'],
  ['service port 0', { service: { port: 0 } }, 'spec.service.port'],
  ['service port 65536', { service: { port: 65536 } }, 'spec.service.port'],
  ['a missing model version', { model: {} }, 'spec.model.version'],
  ['a missing model', { model: undefined }, 'spec.model'],
  ['resources without a CPU request', { resources: { requests: { memory: '128Mi' }, limits: { memory: '256Mi' } } }, 'spec.resources.requests.cpu is required'],
  ['empty resources', { resources: {} }, 'spec.resources.requests.cpu is required'],
  ['a memory request above its limit', { resources: { requests: { cpu: '100m', memory: '1Gi' }, limits: { memory: '512Mi' } } }, 'spec.resources.requests.memory must be at most spec.resources.limits.memory'],
  ['a request above its limit', { resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '200m', memory: '2Gi' } } }, 'spec.resources.requests.cpu must be at most spec.resources.limits.cpu'],
  ['a negative quantity', { resources: { requests: { cpu: '-100m' } } }, 'spec.resources.requests: Invalid value: quantities must not be negative'],
  ['a misspelled resource name', { resources: { requests: { cpu: '100m', memroy: '128Mi' } } }, 'spec.resources.requests: Invalid value: resource names must be cpu, memory or ephemeral-storage'],
  ['an unknown resource name in limits', { resources: { requests: { cpu: '100m' }, limits: { 'nvidia.com/gpu': '1' } } }, 'spec.resources.limits'],
  ['an unknown image pull policy', { imagePullPolicy: 'Sometimes' }, 'spec.imagePullPolicy'],
  ['an image pull secret without a name', { imagePullSecrets: [{}] }, 'spec.imagePullSecrets[0].name'],
  ['a toleration with an unknown operator', { tolerations: [{ key: 'dedicated', operator: 'Has' }] }, 'spec.tolerations[0].operator'],
  ['a node affinity with an unknown operator', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Near' }] }] } } } }, 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator'],
  ['a pod anti-affinity term without a topology key', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {} }] } } } as Partial<RiskModelSpec>, 'topologyKey'],
  ['a spread constraint with maxSkew 0', { topologySpreadConstraints: [{ maxSkew: 0, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }] }, 'spec.topologySpreadConstraints[0].maxSkew'],
  ['a spread constraint with an unknown whenUnsatisfiable', { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'Maybe' }] }, 'spec.topologySpreadConstraints[0].whenUnsatisfiable'],
  ['a priority class name that is not a DNS subdomain', { priorityClassName: 'Not_A_Name' }, 'spec.priorityClassName'],
  ['a rolling update with maxSurge and maxUnavailable both 0', { rollingUpdate: { maxSurge: 0 } }, 'spec.rollingUpdate'],
  ['a rolling update maxSurge that is neither a count nor a percentage', { rollingUpdate: { maxSurge: 'a quarter' } }, 'spec.rollingUpdate.maxSurge'],
  ['a disruption budget with both maxUnavailable and minAvailable', { podDisruptionBudget: { maxUnavailable: 1, minAvailable: 1 } }, 'spec.podDisruptionBudget'],
  ['a disruption budget of maxUnavailable 0', { podDisruptionBudget: { maxUnavailable: 0 } }, 'spec.podDisruptionBudget.maxUnavailable'],
  ['a disruption budget minAvailable at minReplicas', { minReplicas: 2, podDisruptionBudget: { minAvailable: 2 } }, 'spec.podDisruptionBudget.minAvailable'],
  ['a network policy without clients', { networkPolicy: { metricsFrom: [{ podSelector: {} }] } }, 'spec.networkPolicy.from'],
  ['a network policy with an empty client list', { networkPolicy: { from: [] } }, 'spec.networkPolicy.from'],
  ['a network policy peer that selects nothing', { networkPolicy: { from: [{}] } }, 'spec.networkPolicy.from[0]'],
  ['a scale-up policy of an unknown type', { behavior: { scaleUp: { policies: [{ type: 'Nodes', value: 1, periodSeconds: 15 }] } } }, 'spec.behavior.scaleUp.policies[0].type'],
  ['a scale-down policy period above 30 minutes', { behavior: { scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1801 }] } } }, 'spec.behavior.scaleDown.policies[0].periodSeconds'],
  ['a scale-down window above an hour in the full behavior', { behavior: { scaleDown: { stabilizationWindowSeconds: 3601 } } }, 'spec.behavior.scaleDown.stabilizationWindowSeconds'],
  ['an unknown select policy', { behavior: { scaleUp: { selectPolicy: 'Biggest' } } }, 'spec.behavior.scaleUp.selectPolicy'],
  ['a pinned revision 0', { model: { version: 'v1', revision: 0 } }, 'spec.model.revision'],
  ['a fractional pinned revision', { model: { version: 'v1', revision: 1.5 } }, 'spec.model.revision'],
  ['a revision history limit of 0', { revisionHistoryLimit: 0 }, 'spec.revisionHistoryLimit'],
  ['a revision history limit above 20', { revisionHistoryLimit: 21 }, 'spec.revisionHistoryLimit'],
  ['an unknown rollout strategy', { rollout: { strategy: 'BlueGreen' } }, 'spec.rollout.strategy'],
  ['a canary weight of 0', { rollout: { strategy: 'Canary', canary: { weight: 0 } } }, 'spec.rollout.canary.weight'],
  ['a canary weight above 100', { rollout: { strategy: 'Canary', canary: { weight: 101 } } }, 'spec.rollout.canary.weight'],
  ['a canary error ratio above 1', { rollout: { strategy: 'Canary', canary: { maxErrorRatio: 1.5 } } }, 'spec.rollout.canary.maxErrorRatio'],
  ['a canary analysis shorter than 10 seconds', { rollout: { strategy: 'Canary', canary: { analysisSeconds: 5 } } }, 'spec.rollout.canary.analysisSeconds'],
  ['a canary p99 latency limit of 0', { rollout: { strategy: 'Canary', canary: { maxP99LatencyMs: 0 } } }, 'spec.rollout.canary.maxP99LatencyMs'],
  ['an autoscaling metric of an unknown type', { autoscaling: { metrics: [{ type: 'Memory', targetAveragePerPod: 1 }] } }, 'spec.autoscaling.metrics[0].type'],
  ['a requests-a-second target of 0', { autoscaling: { metrics: [{ type: 'RequestsPerSecond', targetAveragePerPod: 0 }] } }, 'spec.autoscaling.metrics[0].targetAveragePerPod'],
  ['a negative in-flight target', { autoscaling: { metrics: [{ type: 'InFlightRequests', targetAveragePerPod: -2 }] } }, 'spec.autoscaling.metrics[0].targetAveragePerPod'],
  ['a requests-a-second metric without a target', { autoscaling: { metrics: [{ type: 'RequestsPerSecond' }] } }, 'RequestsPerSecond and InFlightRequests take targetAveragePerPod, which they require'],
  ['a CPU metric with a per-pod target', { autoscaling: { metrics: [{ type: 'CPU', targetAveragePerPod: 5 }] } }, 'type CPU takes targetUtilizationPercentage'],
  ['a CPU metric target of 0', { autoscaling: { metrics: [{ type: 'CPU', targetUtilizationPercentage: 0 }] } }, 'spec.autoscaling.metrics[0].targetUtilizationPercentage'],
  ['the same metric type twice', { autoscaling: { metrics: [{ type: 'RequestsPerSecond', targetAveragePerPod: 5 }, { type: 'RequestsPerSecond', targetAveragePerPod: 9 }] } }, 'spec.autoscaling.metrics[1]: Duplicate value'],
  ['an empty metric list', { autoscaling: { metrics: [] } }, 'spec.autoscaling.metrics'],
  ['a drift threshold of 0', { monitoring: { drift: { psiThreshold: 0 } } }, 'spec.monitoring.drift.psiThreshold'],
  ['a drift window of 10 rows', { monitoring: { drift: { windowRows: 10 } } }, 'spec.monitoring.drift.windowRows'],
  ['a drift minimum of 50 rows', { monitoring: { drift: { minRows: 50 } } }, 'spec.monitoring.drift.minRows'],
];

/** Refusals whose message must also list what is allowed. */
const allowedValues: [string, Partial<RiskModelSpec>, string[]][] = [
  ['service types', { service: { type: 'Internal' } }, ['ClusterIP', 'NodePort', 'LoadBalancer']],
  ['resource names', { resources: { requests: { cpu: '100m', gpu: '1' } } }, ['cpu', 'memory', 'ephemeral-storage']],
  ['image pull policies', { imagePullPolicy: 'Sometimes' }, ['Always', 'IfNotPresent', 'Never']],
  ['spread behaviours', { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'Maybe' }] }, ['DoNotSchedule', 'ScheduleAnyway']],
  ['scaling policy types', { behavior: { scaleUp: { policies: [{ type: 'Nodes', value: 1, periodSeconds: 15 }] } } }, ['Pods', 'Percent']],
  ['disruption budget forms', { podDisruptionBudget: { maxUnavailable: 'half' } }, ['integer of at least 1', 'percentage']],
  ['rollout strategies', { rollout: { strategy: 'BlueGreen' } }, ['RollingUpdate', 'Canary']],
  ['autoscaling metric types', { autoscaling: { metrics: [{ type: 'Memory', targetAveragePerPod: 1 }] } }, ['CPU', 'RequestsPerSecond', 'InFlightRequests']],
];

describe('operator on the local cluster: the API server validates RiskModels', function () {
  const bed = useTestbed();

  for (const [what, spec, field] of invalid) {
    it(`refuses ${what} with a message naming ${field}`, async function () {
      const rm = riskModel(bed.namespace, 'invalid', spec);
      const error = await bed.cluster.createRiskModel(rm).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error, 'the API server accepted it').to.not.equal(undefined);
      expect(apiStatus(error)).to.equal(422);
      expect(apiMessage(error)).to.include(field);
    });
  }

  for (const [what, spec, allowed] of allowedValues) {
    it(`lists the allowed ${what} when refusing one`, async function () {
      const error: unknown = await bed.cluster.createRiskModel(riskModel(bed.namespace, 'bad-value', spec)).catch((err: unknown) => err);
      expect(apiStatus(error)).to.equal(422);
      for (const value of allowed) expect(apiMessage(error)).to.include(value);
    });
  }

  it('accepts every production field at once, storing them as given', async function () {
    const spec: Partial<RiskModelSpec> = {
      minReplicas: 3,
      resources: { requests: { cpu: '250m', memory: '192Mi', 'ephemeral-storage': '128Mi' }, limits: { cpu: '1', memory: '384Mi', 'ephemeral-storage': '256Mi' } },
      imagePullPolicy: 'Always',
      imagePullSecrets: [{ name: 'registry-login' }],
      nodeSelector: { type: 'kwok' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } } }] } },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', minDomains: 1 }],
      priorityClassName: 'patient-risk-serving',
      rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' },
      podDisruptionBudget: { minAvailable: 2 },
      networkPolicy: { from: [{ namespaceSelector: { matchLabels: { team: 'clinic' } } }], metricsFrom: [{ ipBlock: { cidr: '10.0.0.0/8' } }] },
      behavior: { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } },
      revisionHistoryLimit: 5,
      rollout: { strategy: 'Canary', canary: { weight: 25, analysisSeconds: 120, readyTimeoutSeconds: 180, maxErrorRatio: 0.02, maxP99LatencyMs: 250, minRequests: 50 } },
      autoscaling: { metrics: [{ type: 'CPU', targetUtilizationPercentage: 60 }, { type: 'RequestsPerSecond', targetAveragePerPod: 12.5 }, { type: 'InFlightRequests', targetAveragePerPod: 4 }] },
      monitoring: { drift: { enabled: true, psiThreshold: 0.25, minRows: 500, windowRows: 2000 } },
    };
    const stored = await bed.cluster.createRiskModel(riskModel(bed.namespace, 'everything', spec));
    expect(stored.spec).to.deep.include(spec);
  });

  it('fills in the documented defaults for a minimal RiskModel', async function () {
    const minimal = { apiVersion: 'riskmodel.dev/v1alpha1', kind: 'RiskModel', metadata: { name: 'defaults', namespace: bed.namespace }, spec: { model: { version: 'v1', configMapRef: { name: 'some-model' } } } };
    const stored = await bed.cluster.createRiskModel(minimal);
    expect(stored.spec).to.deep.include({ minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70, scaleDownStabilizationSeconds: 300 });
    expect(stored.spec.model.configMapRef).to.deep.equal({ name: 'some-model', key: 'model.json' });
    expect(stored.spec.service).to.deep.equal({ type: 'ClusterIP', port: 80 });
    expect(stored.spec.resources).to.deep.equal({
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '128Mi' },
      limits: { cpu: '200m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(stored.spec.imagePullPolicy).to.equal('IfNotPresent');
    expect(stored.spec.revisionHistoryLimit).to.equal(3);
    expect(stored.spec.rollout).to.deep.equal({ strategy: 'RollingUpdate' });
  });

  it('documents every spec field for kubectl explain', async function () {
    const explained = await kubectl(['explain', 'riskmodel.spec', '--recursive']);
    const fields = ['model', 'version', 'configMapRef', 'image', 'minReplicas', 'maxReplicas', 'targetCPUUtilizationPercentage', 'scaleDownStabilizationSeconds', 'resources', 'service', 'type', 'port'];
    const production = ['nodeSelector', 'tolerations', 'affinity', 'topologySpreadConstraints', 'priorityClassName', 'imagePullPolicy', 'imagePullSecrets', 'rollingUpdate', 'maxSurge', 'maxUnavailable', 'podDisruptionBudget', 'minAvailable', 'networkPolicy', 'metricsFrom', 'behavior', 'scaleUp', 'scaleDown', 'policies', 'revision', 'revisionHistoryLimit', 'rollout', 'strategy', 'canary', 'weight', 'analysisSeconds', 'maxErrorRatio', 'maxP99LatencyMs', 'minRequests', 'readyTimeoutSeconds', 'autoscaling', 'metrics', 'targetAveragePerPod', 'targetUtilizationPercentage', 'monitoring', 'drift', 'psiThreshold', 'minRows', 'windowRows'];
    for (const field of [...fields, ...production]) {
      expect(explained, field).to.match(new RegExp(`\\b${field}\\b`));
    }
    for (const field of ['minReplicas', 'service', 'model', 'podDisruptionBudget', 'networkPolicy', 'topologySpreadConstraints', 'behavior', 'rollingUpdate', 'revisionHistoryLimit', 'rollout', 'rollout.canary', 'model.revision']) {
      const doc = await kubectl(['explain', `riskmodel.spec.${field}`]);
      expect(doc, `description of spec.${field}`).to.match(/DESCRIPTION:\s*\n\s*\S/);
      expect(doc).to.not.include('<empty>');
    }
  });
});
