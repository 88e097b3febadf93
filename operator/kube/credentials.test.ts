import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { fromKubeconfigFile, loadCredentials } from './credentials.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rm-creds-'));

function kubeconfig(name: string, user: object, cluster: object = { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA PEM').toString('base64') }): string {
  const file = path.join(dir, name);
  writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'c', contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }], clusters: [{ name: 'k', cluster }], users: [{ name: 'u', user }] }));
  return file;
}

describe('API credentials', () => {
  it('reads client certificates and the CA from a kubeconfig', async () => {
    const file = kubeconfig('certs', { 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64') });
    const c = fromKubeconfigFile(file)!;
    expect(c.server).to.equal('https://127.0.0.1:6443');
    expect(String(c.tls.ca)).to.equal('CA PEM');
    expect(String(c.tls.cert)).to.equal('CERT');
    expect((c.tls.key as Buffer).toString()).to.equal('KEY');
    expect(await c.headers()).to.deep.equal({});
  });

  it('sends a bearer token, from the kubeconfig or from a token file relative to it', async () => {
    expect(await fromKubeconfigFile(kubeconfig('token', { token: 'abc' }))!.headers()).to.deep.equal({ Authorization: 'Bearer abc' });
    writeFileSync(path.join(dir, 'sa-token'), 'from-file\n');
    expect(await fromKubeconfigFile(kubeconfig('token-file', { tokenFile: 'sa-token' }))!.headers()).to.deep.equal({ Authorization: 'Bearer from-file' });
  });

  it('honours insecure-skip-tls-verify and tls-server-name', () => {
    const c = fromKubeconfigFile(kubeconfig('insecure', { token: 't' }, { server: 'https://10.0.0.1', 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.local' }))!;
    expect(c.tls).to.include({ rejectUnauthorized: false, servername: 'api.local' });
  });

  it('leaves exec-plugin users to client-node', () => {
    expect(fromKubeconfigFile(kubeconfig('exec', { exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1' } }))).to.be.undefined;
  });

  it('names the missing context instead of failing obscurely', () => {
    const file = path.join(dir, 'broken');
    writeFileSync(file, stringify({ 'current-context': 'nope', contexts: [] }));
    expect(() => fromKubeconfigFile(file)).to.throw(/kubeconfig .*broken: no context named "nope"/);
  });

  it('says what to set when there are no credentials at all', async () => {
    let message = '';
    await loadCredentials({ kubeconfigFiles: [path.join(dir, 'absent')], inClusterServer: undefined }).catch((err: Error) => (message = err.message));
    expect(message).to.match(/no Kubernetes credentials: .*absent.* set KUBECONFIG or --kubeconfig/);
  });
});
