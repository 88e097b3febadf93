import { expect } from 'chai';
import { type RiskModel } from '../api/riskmodel.js';
import { desired, MODEL_DIR, POD_UID, type DesiredChildren } from './desired.js';
import { loadConfig } from '../../inference/config.js';
import { resolveModel } from '../delivery/model-source.js';
import { firstServed } from '../delivery/plan.js';
import type { Served } from './served.js';
import { configMap, modelArtifact, riskModel, TEST_IMAGE } from '../testing/fixtures.js';
import { withDefaults } from '../api/riskmodel.js';
import { CONFIG_HASH_ANNOTATION, labelsFor, selectorFor, SPEC_HASH_ANNOTATION } from '../api/labels.js';

/** desired() with the spec's defaults resolved as a reconcile resolves them. */
const render = (rm: RiskModel, model: Served): DesiredChildren => desired(rm, withDefaults(rm.spec, TEST_IMAGE), model);
const IMAGE_MODEL: Served = { source: 'image' };

function withConfigMap(rm: RiskModel, artifact = modelArtifact()): Served {
  const spec = withDefaults(rm.spec, TEST_IMAGE);
  const model = resolveModel(spec, rm.metadata.namespace, configMap(spec.configMapRef?.name ?? 'model', { [spec.configMapRef?.key ?? 'model.json']: artifact }));
  return firstServed(rm, spec, model)!;
}

const pod = (c: DesiredChildren) => c.deployment.spec!.template.spec!;
const container = (c: DesiredChildren) => pod(c).containers[0]!;
const podAnnotations = (c: DesiredChildren) => c.deployment.spec!.template.metadata!.annotations!;

describe('desired state', () => {
  const cases: [string, RiskModel, Served, (c: DesiredChildren) => void][] = [
    [
      'applies the documented defaults to a minimal spec',
      riskModel(),
      IMAGE_MODEL,
      (c) => {
        expect(c.hpa.spec!.minReplicas).to.equal(2);
        expect(c.hpa.spec!.maxReplicas).to.equal(5);
        expect(c.hpa.spec!.metrics![0]!.resource!.target.averageUtilization).to.equal(70);
        expect(c.hpa.spec!.behavior!.scaleDown!.stabilizationWindowSeconds).to.equal(300);
        expect(container(c).resources).to.deep.equal({
          requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '128Mi' },
          limits: { cpu: '200m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
        });
        expect(container(c).image).to.equal(TEST_IMAGE);
        expect(container(c).imagePullPolicy).to.equal('IfNotPresent');
        expect(c.service.spec!.type).to.equal('ClusterIP');
        expect(c.service.spec!.ports![0]!.port).to.equal(80);
        expect(c.deployment.spec!.strategy).to.deep.equal({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
        expect(c.podDisruptionBudget!.spec).to.deep.equal({ selector: { matchLabels: selectorFor('demo') }, maxUnavailable: 1 });
        expect(c.networkPolicy).to.equal(undefined);
      },
    ],
    [
      'spreads pods over nodes by default, preferring but not requiring it, counting only this RiskModel\'s pods',
      riskModel(),
      IMAGE_MODEL,
      (c) => {
        expect(pod(c).topologySpreadConstraints).to.deep.equal([
          { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorFor('demo') } },
        ]);
      },
    ],
    [
      'leaves scheduling fields the user did not set out of the pod, so the API server defaults stay in charge',
      riskModel(),
      IMAGE_MODEL,
      (c) => {
        for (const field of ['nodeSelector', 'tolerations', 'affinity', 'priorityClassName', 'imagePullSecrets']) expect(pod(c), field).not.to.have.property(field);
      },
    ],
    [
      'passes node selector, tolerations, affinity, priority class and pull secrets through to the pod',
      riskModel({
        nodeSelector: { 'node.kubernetes.io/pool': 'inference' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
        priorityClassName: 'inference-critical',
        imagePullSecrets: [{ name: 'registry-login' }],
        imagePullPolicy: 'Always',
      }),
      IMAGE_MODEL,
      (c) => {
        expect(pod(c)).to.deep.include({
          nodeSelector: { 'node.kubernetes.io/pool': 'inference' },
          tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
          priorityClassName: 'inference-critical',
          imagePullSecrets: [{ name: 'registry-login' }],
        });
        expect(container(c).imagePullPolicy).to.equal('Always');
      },
    ],
    [
      'replaces the default spread with the user\'s constraints, adding the pod selector only where one has none',
      riskModel({
        topologySpreadConstraints: [
          { maxSkew: 2, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' },
          { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { team: 'risk' } } },
        ],
      }),
      IMAGE_MODEL,
      (c) => {
        expect(pod(c).topologySpreadConstraints).to.deep.equal([
          { maxSkew: 2, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selectorFor('demo') } },
          { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { team: 'risk' } } },
        ]);
      },
    ],
    ['turns the spread off for an empty list of constraints', riskModel({ topologySpreadConstraints: [] }), IMAGE_MODEL, (c) => expect(pod(c).topologySpreadConstraints).to.deep.equal([])],
    [
      'takes the rolling update\'s maxSurge and maxUnavailable, each defaulting on its own',
      riskModel({ rollingUpdate: { maxUnavailable: '50%' } }),
      IMAGE_MODEL,
      (c) => expect(c.deployment.spec!.strategy!.rollingUpdate).to.deep.equal({ maxSurge: '25%', maxUnavailable: '50%' }),
    ],
    [
      'adds the ephemeral-storage defaults to resources the user gave without it, keeping the rest as given',
      riskModel({ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } } }),
      IMAGE_MODEL,
      (c) => expect(container(c).resources).to.deep.equal({ requests: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '128Mi' }, limits: { memory: '2Gi', 'ephemeral-storage': '256Mi' } }),
    ],
    [
      'keeps the user\'s ephemeral-storage as given when either its request or its limit is set',
      riskModel({ resources: { requests: { cpu: '1', 'ephemeral-storage': '1Gi' } } }),
      IMAGE_MODEL,
      (c) => expect(container(c).resources).to.deep.equal({ requests: { cpu: '1', 'ephemeral-storage': '1Gi' } }),
    ],
    [
      'makes a PodDisruptionBudget with the user\'s maxUnavailable',
      riskModel({ minReplicas: 4, maxReplicas: 8, podDisruptionBudget: { maxUnavailable: '25%' } }),
      IMAGE_MODEL,
      (c) => expect(c.podDisruptionBudget!.spec).to.deep.equal({ selector: { matchLabels: selectorFor('demo') }, maxUnavailable: '25%' }),
    ],
    [
      'makes a PodDisruptionBudget with minAvailable instead of maxUnavailable when the user sets it',
      riskModel({ minReplicas: 3, podDisruptionBudget: { minAvailable: 2 } }),
      IMAGE_MODEL,
      (c) => expect(c.podDisruptionBudget!.spec).to.deep.equal({ selector: { matchLabels: selectorFor('demo') }, minAvailable: 2 }),
    ],
    ['makes no PodDisruptionBudget for minReplicas 1', riskModel({ minReplicas: 1 }), IMAGE_MODEL, (c) => expect(c.podDisruptionBudget).to.equal(undefined)],
    ['makes no PodDisruptionBudget when the user disables it', riskModel({ minReplicas: 3, podDisruptionBudget: { enabled: false } }), IMAGE_MODEL, (c) => expect(c.podDisruptionBudget).to.equal(undefined)],
    [
      'lets in only the listed clients and scrapers, on the inference port, when spec.networkPolicy is set',
      riskModel({
        networkPolicy: {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'clinic' } } }, { podSelector: { matchLabels: { role: 'triage' } } }],
          metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }],
        },
      }),
      IMAGE_MODEL,
      (c) => {
        const ports = [{ protocol: 'TCP', port: 8080 }];
        expect(c.networkPolicy!.spec).to.deep.equal({
          podSelector: { matchLabels: selectorFor('demo') },
          policyTypes: ['Ingress'],
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'clinic' } } }, { podSelector: { matchLabels: { role: 'triage' } } }], ports },
            { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }], ports },
          ],
        });
      },
    ],
    [
      'writes a single ingress rule when no scraper is listed',
      riskModel({ networkPolicy: { from: [{ podSelector: {} }] } }),
      IMAGE_MODEL,
      (c) => expect(c.networkPolicy!.spec!.ingress).to.deep.equal([{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] }]),
    ],
    [
      'passes the full HPA behavior through, scaleDownStabilizationSeconds filling in the scale-down window',
      riskModel({
        scaleDownStabilizationSeconds: 120,
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
          scaleDown: { policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
        },
      }),
      IMAGE_MODEL,
      (c) =>
        expect(c.hpa.spec!.behavior).to.deep.equal({
          scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
          scaleDown: { stabilizationWindowSeconds: 120, policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
        }),
    ],
    [
      'prefers behavior.scaleDown.stabilizationWindowSeconds over the simple form when both are set',
      riskModel({ scaleDownStabilizationSeconds: 120, behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } }),
      IMAGE_MODEL,
      (c) => expect(c.hpa.spec!.behavior).to.deep.equal({ scaleDown: { stabilizationWindowSeconds: 30 } }),
    ],
    [
      'takes every value the spec sets',
      riskModel({
        image: 'registry.example/inference:2.0',
        minReplicas: 3,
        maxReplicas: 9,
        targetCPUUtilizationPercentage: 55,
        scaleDownStabilizationSeconds: 30,
        resources: { requests: { cpu: '250m' } },
        service: { type: 'NodePort', port: 8000 },
      }),
      IMAGE_MODEL,
      (c) => {
        expect(c.hpa.spec).to.include({ minReplicas: 3, maxReplicas: 9 });
        expect(c.hpa.spec!.metrics![0]!.resource!.target.averageUtilization).to.equal(55);
        expect(c.hpa.spec!.behavior!.scaleDown!.stabilizationWindowSeconds).to.equal(30);
        expect(container(c).image).to.equal('registry.example/inference:2.0');
        expect(container(c).resources).to.deep.equal({ requests: { cpu: '250m', 'ephemeral-storage': '128Mi' }, limits: { 'ephemeral-storage': '256Mi' } });
        expect(c.service.spec).to.include({ type: 'NodePort' });
        expect(c.service.spec!.ports![0]).to.include({ port: 8000, targetPort: 'http' });
      },
    ],
    [
      'never sets Deployment replicas, so the HPA keeps owning the count',
      riskModel({ minReplicas: 4 }),
      IMAGE_MODEL,
      (c) => expect(c.deployment.spec).not.to.have.property('replicas'),
    ],
    [
      'names, labels and owns every child after the RiskModel',
      riskModel({ networkPolicy: { from: [{ podSelector: {} }] } }, 'fraud', 'ml'),
      IMAGE_MODEL,
      (c) => {
        expect(c.podDisruptionBudget).not.to.equal(undefined);
        expect(c.networkPolicy).not.to.equal(undefined);
        for (const child of [c.deployment, c.service, c.hpa, c.podDisruptionBudget!, c.networkPolicy!]) {
          expect(child.metadata).to.include({ name: 'fraud', namespace: 'ml' });
          expect(child.metadata!.labels).to.deep.equal({
            'app.kubernetes.io/name': 'riskmodel-inference',
            'app.kubernetes.io/instance': 'fraud',
            'app.kubernetes.io/managed-by': 'riskmodel-operator',
          });
          expect(child.metadata!.ownerReferences).to.deep.equal([
            { apiVersion: 'riskmodel.dev/v1alpha1', kind: 'RiskModel', name: 'fraud', uid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', controller: true, blockOwnerDeletion: true },
          ]);
        }
      },
    ],
    [
      'selects its own pods with the Deployment selector, the pod labels and the Service selector agreeing',
      riskModel({}, 'fraud'),
      IMAGE_MODEL,
      (c) => {
        const selector = c.deployment.spec!.selector.matchLabels!;
        expect(c.service.spec!.selector).to.deep.equal(selector);
        expect(c.deployment.spec!.template.metadata!.labels).to.deep.equal({ ...labelsFor('fraud'), 'riskmodel.dev/track': 'stable' });
        for (const [k, v] of Object.entries(selector)) expect(c.deployment.spec!.template.metadata!.labels![k]).to.equal(v);
        expect(selector['app.kubernetes.io/instance']).to.equal('fraud');
        expect(c.hpa.spec!.scaleTargetRef).to.deep.equal({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'fraud' });
      },
    ],
    [
      'passes Pod Security restricted: non-root numeric user, read-only root, no escalation, no capabilities, RuntimeDefault seccomp',
      riskModel(),
      IMAGE_MODEL,
      (c) => {
        const pod = c.deployment.spec!.template.spec!;
        expect(pod.securityContext).to.deep.include({ runAsNonRoot: true, runAsUser: POD_UID, seccompProfile: { type: 'RuntimeDefault' } });
        expect(POD_UID).to.be.greaterThan(0);
        expect(container(c).securityContext).to.deep.equal({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
        expect(pod.volumes!.every((v) => v.hostPath === undefined)).to.be.true;
      },
    ],
    [
      'exposes port 8080 named http with liveness on /healthz and readiness on /readyz',
      riskModel(),
      IMAGE_MODEL,
      (c) => {
        expect(container(c).ports).to.deep.equal([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
        expect(container(c).livenessProbe!.httpGet).to.deep.equal({ path: '/healthz', port: 'http' });
        expect(container(c).readinessProbe!.httpGet).to.deep.equal({ path: '/readyz', port: 'http' });
      },
    ],
    [
      "mounts the model's immutable snapshot (never the user's ConfigMap) read-only, points MODEL_PATH at it and records the revision on the pod template",
      riskModel({ model: { version: 'v2', configMapRef: { name: 'risk-model', key: 'artifact.json' } } }),
      withConfigMap(riskModel({ model: { version: 'v2', configMapRef: { name: 'risk-model', key: 'artifact.json' } } })),
      (c) => {
        const pod = c.deployment.spec!.template.spec!;
        const snapshot = pod.volumes?.find((v) => v.name === 'model')?.configMap;
        expect(snapshot?.name).to.match(/^demo-model-[0-9a-f]{10}$/);
        expect(snapshot?.items).to.deep.equal([{ key: 'model.json', path: 'model.json' }]);
        expect(podAnnotations(c)).to.include({ 'riskmodel.dev/revision': '1', 'riskmodel.dev/snapshot': snapshot?.name });
        expect(container(c).volumeMounts).to.deep.include({ name: 'model', mountPath: MODEL_DIR, readOnly: true });
        expect(container(c).env).to.deep.include({ name: 'MODEL_PATH', value: `${MODEL_DIR}/model.json` });
      },
    ],
    [
      'gives pods a grace period longer than the drain delay plus the longest request, and tells the server both',
      riskModel(),
      IMAGE_MODEL,
      (c) => {
        const env = Object.fromEntries(container(c).env!.map((e) => [e.name, e.value]));
        const server = loadConfig(env);
        const grace = c.deployment.spec!.template.spec!.terminationGracePeriodSeconds!;
        expect(server.shutdown).to.deep.equal({ drainDelayMs: 5000, graceMs: 10_000 });
        expect(server.connections.requestTimeoutMs).to.equal(10_000);
        expect(grace * 1000).to.be.above(server.shutdown.drainDelayMs + Math.max(server.shutdown.graceMs, server.connections.requestTimeoutMs));
        expect(grace).to.equal(20);
        expect(container(c).lifecycle).to.equal(undefined);
      },
    ],
    [
      'serves the model under the RiskModel name on the Open Inference Protocol routes',
      riskModel({}, 'sepsis-watch'),
      IMAGE_MODEL,
      (c) => {
        expect(container(c).env).to.deep.include({ name: 'MODEL_NAME', value: 'sepsis-watch' });
        expect(loadConfig(Object.fromEntries(container(c).env!.map((e) => [e.name, e.value]))).modelName).to.equal('sepsis-watch');
      },
    ],
    [
      'uses the model built into the image when no ConfigMap is referenced',
      riskModel(),
      IMAGE_MODEL,
      (c) => {
        expect(container(c).env!.map((e) => e.name)).not.to.include('MODEL_PATH');
        expect(c.deployment.spec!.template.spec!.volumes!.map((v) => v.name)).to.deep.equal(['tmp']);
      },
    ],
  ];
  for (const [name, rm, model, check] of cases) it(name, () => check(render(rm, model)));

  it('gives byte-identical objects for the same inputs, so a no-op reconcile changes nothing', () => {
    const rm = riskModel({ model: { version: 'v1', configMapRef: { name: 'm' } } });
    expect(JSON.stringify(render(rm, withConfigMap(rm)))).to.equal(JSON.stringify(render(structuredClone(rm), withConfigMap(rm))));
  });

  it('does not mutate the RiskModel it reads', () => {
    const rm = riskModel({ resources: { requests: { cpu: '1' } } });
    const before = structuredClone(rm);
    const children = render(rm, IMAGE_MODEL);
    container(children).resources!.requests!.cpu = '9';
    expect(rm).to.deep.equal(before);
  });

  const hashCases: [string, RiskModel, boolean][] = [
    ['changes the pod config hash when the image changes', riskModel({ image: 'other:1' }), true],
    ['changes the pod config hash when resources change', riskModel({ resources: { limits: { cpu: '1' } } }), true],
    ['keeps the pod config hash when only HPA settings change', riskModel({ maxReplicas: 10, minReplicas: 3 }), false],
    ['keeps the pod config hash when only the Service changes', riskModel({ service: { port: 9090 } }), false],
    ['changes the pod config hash when a toleration is added', riskModel({ tolerations: [{ key: 'k', operator: 'Exists' }] }), true],
    ['keeps the pod config hash when only the disruption budget changes', riskModel({ podDisruptionBudget: { maxUnavailable: 2 } }), false],
    ['keeps the pod config hash when only the rolling update changes', riskModel({ rollingUpdate: { maxSurge: 1 } }), false],
  ];
  for (const [name, changed, differs] of hashCases) {
    it(name, () => {
      const base = podAnnotations(render(riskModel(), IMAGE_MODEL))[CONFIG_HASH_ANNOTATION];
      const other = podAnnotations(render(changed, IMAGE_MODEL))[CONFIG_HASH_ANNOTATION];
      expect(base !== other).to.equal(differs);
    });
  }

  it('changes the pod config hash when the model content changes under the same ConfigMap name', () => {
    const rm = riskModel({ model: { version: 'v1', configMapRef: { name: 'm' } } });
    const a = podAnnotations(render(rm, withConfigMap(rm, modelArtifact(1))))[CONFIG_HASH_ANNOTATION];
    const b = podAnnotations(render(rm, withConfigMap(rm, modelArtifact(2))))[CONFIG_HASH_ANNOTATION];
    expect(a).to.match(/^[0-9a-f]{16}$/);
    expect(a).not.to.equal(b);
  });

  it('changes only the HPA spec hash when maxReplicas changes', () => {
    const a = render(riskModel(), IMAGE_MODEL);
    const b = render(riskModel({ maxReplicas: 8 }), IMAGE_MODEL);
    const hash = (o: { metadata?: { annotations?: Record<string, string> } }) => o.metadata!.annotations![SPEC_HASH_ANNOTATION];
    expect(hash(a.hpa)).not.to.equal(hash(b.hpa));
    expect(hash(a.deployment)).to.equal(hash(b.deployment));
    expect(hash(a.service)).to.equal(hash(b.service));
  });
});
