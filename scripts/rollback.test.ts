import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeRollbackApi, type FakeOptions, type FakeRollbackApi } from './lib/testing/fake-rollback-api.js';

const script = fileURLToPath(new URL('./rollback.ts', import.meta.url));

interface Run { code: number | null; stdout: string; stderr: string }

function rollback(kubeconfig: string, args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, KUBECONFIG: kubeconfig } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const LABELS = { 'app.kubernetes.io/name': 'riskmodel-inference', 'app.kubernetes.io/instance': 'sepsis', 'app.kubernetes.io/managed-by': 'riskmodel-operator', 'app.kubernetes.io/component': 'model-snapshot' };

function snapshot(revision: number, hash: string, instance = 'sepsis'): { metadata: Record<string, unknown> } {
  return {
    metadata: {
      name: `${instance}-model-${hash}`, namespace: 'ward-3',
      ownerReferences: [{ apiVersion: 'riskmodel.dev/v1alpha1', kind: 'RiskModel', name: instance, uid: `uid-${instance}`, controller: true }],
      labels: { ...LABELS, 'app.kubernetes.io/instance': instance, 'riskmodel.dev/revision': String(revision) },
      annotations: { 'riskmodel.dev/model-version': `v${revision}-${hash.slice(0, 8)}` },
    },
  };
}

// Revision 3 serves; 2 failed its canary; 1 served before. Snapshot 1 and 3 are kept, plus 2's.
const SEPSIS = {
  apiVersion: 'riskmodel.dev/v1alpha1', kind: 'RiskModel',
  metadata: { name: 'sepsis', namespace: 'ward-3', uid: 'uid-sepsis', generation: 4 },
  spec: { model: { version: 'v3', configMapRef: { name: 'sepsis-model' } } as Record<string, unknown> },
  status: {
    revision: 3, modelVersion: 'v3-9c0d1e2f',
    history: [
      { revision: 1, modelVersion: 'v1-1a2b3c4d', snapshot: 'sepsis-model-1a2b3c4d00', result: 'Superseded' },
      { revision: 2, modelVersion: 'v2-5e6f7a8b', snapshot: 'sepsis-model-5e6f7a8b00', result: 'FailedAnalysis', message: 'errorRatio 0.31 > 0.01' },
      { revision: 3, modelVersion: 'v3-9c0d1e2f', snapshot: 'sepsis-model-9c0d1e2f00' },
    ],
  },
};
const SNAPSHOTS = [snapshot(1, '1a2b3c4d00'), snapshot(2, '5e6f7a8b00'), snapshot(3, '9c0d1e2f00'), snapshot(4, 'ffffffff00', 'triage')];

describe('npm run rollback', function () {
  this.timeout(60_000);
  let api: FakeRollbackApi;
  afterEach(async () => { await api.close(); });

  async function start(riskModel: object = SEPSIS, options: FakeOptions = {}): Promise<void> {
    api = await startFakeRollbackApi(structuredClone(riskModel) as typeof SEPSIS, SNAPSHOTS, options);
  }

  it('pins the previous revision that served, skipping the failed canary, with a merge patch under its own field manager', async () => {
    await start();
    const run = await rollback(api.kubeconfigPath, ['sepsis']);
    expect(run.stderr).to.equal('');
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal('riskmodel/sepsis pinned to revision 1 (v1-1a2b3c4d); was serving 3 (v3-9c0d1e2f). Unpin with: npm run rollback -- sepsis -n ward-3 --unpin\n'
      + 'Follow it with: kubectl get riskmodel sepsis -n ward-3 -w\n');
    expect(api.patches).to.deep.equal([{ contentType: 'application/merge-patch+json', fieldManager: 'riskmodel-rollback', body: { metadata: { resourceVersion: '100' }, spec: { model: { revision: 1 } } } }]);
    expect((api.riskModel().spec as { model: object }).model).to.deep.include({ revision: 1, version: 'v3' });
  });

  it('decides again on fresh state when an operator status write wins the race (409)', async () => {
    await start();
    api.raceNextPatch();
    const run = await rollback(api.kubeconfigPath, ['sepsis', '-n', 'ward-3', '--to-revision', '2']);
    expect(run.code, run.stderr).to.equal(0);
    expect(api.patches.map((p) => (p.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion)).to.deep.equal(['100', '101']);
    expect(run.stdout).to.include('note: revision 2 failed its canary analysis before (errorRatio 0.31 > 0.01); a pin skips the canary');
  });

  it('refuses a revision that is not kept, listing the kept ones of this RiskModel only, and changes nothing', async () => {
    await start();
    const run = await rollback(api.kubeconfigPath, ['sepsis', '--to-revision', '4']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.equal('rollback: --to-revision 4: riskmodel/sepsis does not keep revision 4; kept revisions: 1 (v1-1a2b3c4d), 2 (v2-5e6f7a8b), 3 (v3-9c0d1e2f), serving\n');
    expect(api.patches).to.deep.equal([]);
  });

  it('names the RiskModels of the namespace when the one asked for does not exist', async () => {
    await start();
    const run = await rollback(api.kubeconfigPath, ['sepsys']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.equal('rollback: riskmodel/sepsys not found in namespace ward-3; RiskModels there: sepsis (give the namespace with -n NAMESPACE)\n');
  });

  it('says there is nothing to roll back to for a RiskModel that serves no revision yet', async () => {
    await start({ ...SEPSIS, status: {} });
    const run = await rollback(api.kubeconfigPath, ['sepsis']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/^rollback: riskmodel\/sepsis serves no revision yet \(status\.revision is empty\)/);
  });

  it('unpins with a JSON patch that tests the pin, and says so; a second unpin changes nothing', async () => {
    await start({ ...SEPSIS, spec: { model: { ...SEPSIS.spec.model, revision: 1 } } });
    const first = await rollback(api.kubeconfigPath, ['sepsis', '--unpin']);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.equal('riskmodel/sepsis unpinned (was pinned to revision 1 (v1-1a2b3c4d)); it follows ConfigMap sepsis-model again: what that holds now rolls out once it validates.\n');
    expect(api.patches).to.deep.equal([{
      contentType: 'application/json-patch+json', fieldManager: 'riskmodel-rollback',
      body: [{ op: 'test', path: '/spec/model/revision', value: 1 }, { op: 'remove', path: '/spec/model/revision' }],
    }]);
    const second = await rollback(api.kubeconfigPath, ['sepsis', '--unpin']);
    expect(second.code).to.equal(0);
    expect(second.stdout).to.equal('riskmodel/sepsis is not pinned (spec.model.revision is not set); nothing changed.\n');
    expect(api.patches).to.have.length(1);
  });

  it('says to install the current CRD, in one line, when the installed one has no spec.model.revision', async () => {
    await start(SEPSIS, { crdWithoutRevision: true });
    const run = await rollback(api.kubeconfigPath, ['sepsis']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.equal('rollback: the API server refused spec.model.revision on riskmodel/sepsis: the installed RiskModel CRD is older than rollbacks; install the current one with kubectl apply -f crds/\n');
    expect(api.patches).to.have.length(1);
  });

  it('unpins after a concurrent change of the pin made its JSON patch test fail (a bare 422), on fresh state', async () => {
    await start({ ...SEPSIS, spec: { model: { ...SEPSIS.spec.model, revision: 1 } } });
    api.repinNextPatch(2);
    const run = await rollback(api.kubeconfigPath, ['sepsis', '--unpin']);
    expect(run.code, run.stderr).to.equal(0);
    expect(api.patches.map((p) => (p.body as { value?: number }[])[0]?.value)).to.deep.equal([1, 2]);
    expect(run.stdout).to.include('was pinned to revision 2');
    expect((api.riskModel().spec as { model: object }).model).not.to.have.property('revision');
  });

  it('exits 2 with the argument named, and no stack trace, on bad usage or an unreadable kubeconfig', async () => {
    await start();
    const bad = await rollback(api.kubeconfigPath, ['sepsis', '--to-revision', 'two']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal('rollback: --to-revision must be a whole number ≥ 1 (a revision from status.history), got "two"\nRun `npm run rollback -- --help` for every flag.\n');
    const missing = await rollback(api.kubeconfigPath, ['sepsis', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/^rollback: cannot read the kubeconfig \/nonexistent\/kubeconfig: ENOENT/);
    expect(missing.stderr).not.to.include('    at ');
  });

  it('says the cluster is unreachable instead of failing with a stack trace', async () => {
    await start();
    await api.close();
    const run = await rollback(api.kubeconfigPath, ['sepsis']);
    api = await startFakeRollbackApi(SEPSIS, []);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/^rollback: cannot reach the cluster at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): is it running, and is KUBECONFIG pointing at it\?\n$/);
  });
});
