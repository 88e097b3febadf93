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

  it('lists the allowed service types when refusing one', async function () {
    const error: unknown = await bed.cluster.createRiskModel(riskModel(bed.namespace, 'bad-type', { service: { type: 'Internal' } })).catch((err: unknown) => err);
    expect(apiMessage(error)).to.include('ClusterIP').and.include('NodePort').and.include('LoadBalancer');
  });

  it('fills in the documented defaults for a minimal RiskModel', async function () {
    const minimal = { apiVersion: 'riskmodel.dev/v1alpha1', kind: 'RiskModel', metadata: { name: 'defaults', namespace: bed.namespace }, spec: { model: { version: 'v1', configMapRef: { name: 'some-model' } } } };
    const stored = await bed.cluster.createRiskModel(minimal);
    expect(stored.spec).to.deep.include({ minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70, scaleDownStabilizationSeconds: 300 });
    expect(stored.spec.model.configMapRef).to.deep.equal({ name: 'some-model', key: 'model.json' });
    expect(stored.spec.service).to.deep.equal({ type: 'ClusterIP', port: 80 });
    expect(stored.spec.resources).to.deep.equal({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } });
  });

  it('documents every spec field for kubectl explain', async function () {
    const explained = await kubectl(['explain', 'riskmodel.spec', '--recursive']);
    for (const field of ['model', 'version', 'configMapRef', 'image', 'minReplicas', 'maxReplicas', 'targetCPUUtilizationPercentage', 'scaleDownStabilizationSeconds', 'resources', 'service', 'type', 'port']) {
      expect(explained, field).to.match(new RegExp(`\\b${field}\\b`));
    }
    for (const field of ['minReplicas', 'service', 'model']) {
      const doc = await kubectl(['explain', `riskmodel.spec.${field}`]);
      expect(doc, `description of spec.${field}`).to.match(/DESCRIPTION:\s*\n\s*\S/);
      expect(doc).to.not.include('<empty>');
    }
  });
});
