// The samples users copy first must stay valid: RiskModels only use fields the CRD defines
// and satisfy its rules, and the sample artifact is a model the operator (and so the
// inference server) accepts.

import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { withDefaults, type RiskModel } from './api/riskmodel.js';
import { desired } from './model/desired.js';
import { resolveModel } from './delivery/model-source.js';
import type { V1ConfigMap } from '@kubernetes/client-node';

interface Schema {
  properties?: Record<string, Schema>;
  items?: Schema;
  minimum?: number;
  maximum?: number;
  enum?: string[];
  required?: string[];
}

const crd = parseAllDocuments(readFileSync('crds/riskmodel.dev_riskmodels.yaml', 'utf8'))[0]!.toJS() as {
  spec: { versions: { schema: { openAPIV3Schema: Schema } }[] };
};
const specSchema = crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;
const docs = readdirSync('samples')
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(`samples/${f}`, 'utf8')).map((d) => ({ file: f, obj: d.toJS() as { kind: string } })));
const riskModels = docs.filter((d) => d.obj.kind === 'RiskModel') as { file: string; obj: RiskModel }[];

function scalarProblems(value: unknown, schema: Schema, path: string): string[] {
  const problems: string[] = [];
  const n = typeof value === 'number' ? value : undefined;
  if (n !== undefined && n < (schema.minimum ?? -Infinity)) problems.push(`${path} below ${schema.minimum}`);
  if (n !== undefined && n > (schema.maximum ?? Infinity)) problems.push(`${path} above ${schema.maximum}`);
  if (schema.enum && !schema.enum.includes(String(value))) problems.push(`${path} not one of ${schema.enum.join(', ')}`);
  return problems;
}

/** Every field of `value` exists in `schema` and respects its bounds and enums; returns problems. */
function check(value: unknown, schema: Schema, path: string): string[] {
  if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => check(v, schema.items!, `${path}[${i}]`)) : [];
  if (value === null || typeof value !== 'object' || !schema.properties) return scalarProblems(value, schema, path);
  const props = schema.properties;
  const missing = (schema.required ?? []).filter((r) => !(r in value)).map((r) => `${path}.${r} is required`);
  return [...missing, ...Object.entries(value).flatMap(([k, v]) => (props[k] ? check(v, props[k], `${path}.${k}`) : [`${path}.${k} is not in the CRD`]))];
}

describe('samples', () => {
  it('include a minimal, a production-like, a demo and a canary RiskModel', () => {
    expect(riskModels.map((r) => r.file).sort()).to.deep.equal(['riskmodel-canary.yaml', 'riskmodel-demo.yaml', 'riskmodel-minimal.yaml', 'riskmodel-production.yaml']);
  });

  for (const { file, obj } of riskModels) {
    it(`${file} uses only CRD fields within their ranges, with maxReplicas ≥ minReplicas`, () => {
      expect(obj.apiVersion).to.equal('riskmodel.dev/v1alpha1');
      expect(check(obj.spec, specSchema, 'spec')).to.deep.equal([]);
      const spec = withDefaults(obj.spec, 'image');
      expect(spec.maxReplicas).to.be.at.least(spec.minReplicas);
    });
  }

  it('ship a model ConfigMap that every sample referencing it can load', () => {
    const configMaps = docs.filter((d) => d.obj.kind === 'ConfigMap').map((d) => d.obj as V1ConfigMap);
    const referencing = riskModels.filter((r) => r.obj.spec.model.configMapRef);
    expect(referencing.length).to.be.at.least(2);
    for (const { obj } of referencing) {
      const spec = withDefaults(obj.spec, 'image');
      const cm = configMaps.find((c) => c.metadata?.name === spec.configMapRef?.name);
      expect(resolveModel(spec, 'default', cm)).to.include({ source: 'configMap' });
    }
  });

  it('show the production controls in the production-like sample: disruption budget, spread, priority and a NetworkPolicy', () => {
    const prod = riskModels.find((r) => r.file === 'riskmodel-production.yaml')!.obj;
    const children = desired({ ...prod, metadata: { ...prod.metadata, namespace: 'default' } }, withDefaults(prod.spec, 'image'), { source: 'image' });
    const pod = children.deployment.spec!.template.spec!;
    expect(children.podDisruptionBudget?.spec).to.include({ maxUnavailable: 1 });
    expect(children.networkPolicy?.spec?.ingress).to.have.length(2);
    expect(pod.priorityClassName).to.equal('patient-risk-serving');
    expect(pod.topologySpreadConstraints!.map((c) => c.topologyKey)).to.deep.equal(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(docs.some((d) => d.obj.kind === 'PriorityClass' && (d.obj as { metadata?: { name?: string } }).metadata?.name === pod.priorityClassName)).to.be.true;
  });

  it('show a canary rollout in the canary sample: the Canary strategy with every analysis threshold, on a model from a ConfigMap', () => {
    const canary = riskModels.find((r) => r.file === 'riskmodel-canary.yaml')!.obj.spec as { rollout?: { strategy?: string; canary?: Record<string, number> } } & RiskModel['spec'];
    expect(canary.model.configMapRef?.name).to.equal('patient-risk-model');
    expect(canary.rollout?.strategy).to.equal('Canary');
    expect(canary.rollout?.canary).to.have.all.keys('weight', 'readyTimeoutSeconds', 'analysisSeconds', 'minRequests', 'maxErrorRatio', 'maxP99LatencyMs');
    // At minReplicas the canary must be a minority of the pods behind the Service.
    expect(Math.max(1, Math.ceil((canary.minReplicas ?? 2) * canary.rollout!.canary!.weight! / 100))).to.be.below(canary.minReplicas ?? 2);
  });

  it('give the demo a short scale-down window so scaling is visible within a minute', () => {
    const demo = riskModels.find((r) => r.file === 'riskmodel-demo.yaml')!.obj;
    expect(demo.spec.scaleDownStabilizationSeconds).to.be.at.most(60);
  });
});
