import { expect } from 'chai';
import { currentServer, flagValue, kubeconfigPath, sameServer, targetKind } from './cluster-target.js';

const KUBECONFIG = `
apiVersion: v1
kind: Config
clusters:
  - name: other
    cluster: { server: https://other.example:6443 }
  - name: riskmodel-local
    cluster: { server: https://10.250.0.1:41234 }
contexts:
  - name: riskmodel-local
    context: { cluster: riskmodel-local, user: admin }
  - name: other
    context: { cluster: other, user: me }
current-context: riskmodel-local
`;

describe('which cluster a script talks to', () => {
  it('reads the kubeconfig kubectl would: the flag, else the first file of $KUBECONFIG, else ~/.kube/config', () => {
    expect(kubeconfigPath({ flag: '/f', env: '/a:/b', home: '/home/me' })).to.equal('/f');
    expect(kubeconfigPath({ env: ':/a:/b', home: '/home/me' })).to.equal('/a');
    expect(kubeconfigPath({ env: '', home: '/home/me' })).to.equal('/home/me/.kube/config');
    expect(kubeconfigPath({ home: '/home/me' })).to.equal('/home/me/.kube/config');
  });

  it("finds the current context's API server, and nothing in a file without one or that is not YAML", () => {
    expect(currentServer(KUBECONFIG)).to.equal('https://10.250.0.1:41234');
    expect(currentServer(KUBECONFIG.replace('current-context: riskmodel-local', 'current-context: other'))).to.equal('https://other.example:6443');
    expect(currentServer(KUBECONFIG.replace('current-context: riskmodel-local', ''))).to.be.undefined;
    expect(currentServer('')).to.be.undefined;
    expect(currentServer(': : [')).to.be.undefined;
  });

  it('compares servers by scheme, host and port, ignoring a trailing slash and the default https port', () => {
    expect(sameServer('https://10.250.0.1:41234', 'https://10.250.0.1:41234/')).to.be.true;
    expect(sameServer('https://h.example', 'https://h.example:443')).to.be.true;
    expect(sameServer('https://10.250.0.1:41234', 'https://10.250.0.1:41235')).to.be.false;
    expect(sameServer('http://h:1', 'https://h:1')).to.be.false;
    expect(sameServer(undefined, 'https://h:1')).to.be.false;
    expect(sameServer('not a url', 'not a url')).to.be.false;
  });

  const cases: Array<[string, string | undefined, Parameters<typeof targetKind>[1], ReturnType<typeof targetKind>]> = [
    ['the local cluster with its real node', 'https://10.250.0.1:41234', { server: 'https://10.250.0.1:41234', mode: 'real-node' }, 'local-real-node'],
    ['the local kwok-only cluster', 'https://127.0.0.1:41234', { server: 'https://127.0.0.1:41234', mode: 'kwok-only' }, 'local-kwok'],
    ['another cluster while the local one runs', 'https://other.example:6443', { server: 'https://10.250.0.1:41234', mode: 'real-node' }, 'other'],
    ['any cluster when no local one runs', 'https://10.250.0.1:41234', undefined, 'other'],
    ['a kubeconfig without a current server', undefined, { server: 'https://10.250.0.1:41234', mode: 'real-node' }, 'other'],
  ];
  for (const [name, server, local, expected] of cases) it(`calls ${name} ${expected}`, () => expect(targetKind(server, local)).to.equal(expected));

  it("reads a flag's value in both the --flag value and --flag=value forms", () => {
    expect(flagValue(['--kubeconfig', '/k', '--x'], '--kubeconfig')).to.equal('/k');
    expect(flagValue(['--kubeconfig=/k'], '--kubeconfig')).to.equal('/k');
    expect(flagValue(['--kubeconfig-other=/k'], '--kubeconfig')).to.be.undefined;
    expect(flagValue(['--kubeconfig'], '--kubeconfig')).to.be.undefined;
  });
});
