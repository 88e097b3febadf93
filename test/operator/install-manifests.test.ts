// The install manifests (config/default) are accepted by the real API server.
import path from 'node:path';
import { expect } from 'chai';
import { apiStatus } from './harness/api.js';
import { REPO_ROOT } from '../../scripts/lib/operator-process.js';
import { installCrd, kubectl, useTestbed } from './harness/testbed.js';

describe('operator on the local cluster: install manifests', function () {
  const bed = useTestbed();
  let createdNamespace = false;

  before(async function () {
    await installCrd();
    // A server-side dry run creates nothing, so the namespaced objects need their namespace to exist.
    try {
      await bed.cluster.core.readNamespace({ name: 'riskmodel-system' });
    } catch (err) {
      if (apiStatus(err) !== 404) throw err;
      await bed.cluster.core.createNamespace({ body: { metadata: { name: 'riskmodel-system' } } });
      createdNamespace = true;
    }
  });

  after(async function () {
    if (createdNamespace) await bed.cluster.core.deleteNamespace({ name: 'riskmodel-system' });
  });

  it('is accepted by kubectl apply -k config/default --dry-run=server', async function () {
    const output = await kubectl(['apply', '-k', path.join(REPO_ROOT, 'config/default'), '--dry-run=server']);
    for (const kind of ['customresourcedefinition', 'serviceaccount', 'clusterrole', 'clusterrolebinding', 'role', 'rolebinding', 'deployment']) {
      expect(output, kind).to.match(new RegExp(`^${kind}[./]`, 'm'));
    }
    expect(output).to.match(/\(server dry run\)/);
  });
});
