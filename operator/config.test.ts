import { expect } from 'chai';
import { ConfigError, DEFAULT_INFERENCE_IMAGE, loadConfig, usage, type ConfigDeps } from './config.js';

const deps: ConfigDeps = { hostname: () => 'laptop', homedir: () => '/home/me', pid: 4242, inClusterNamespace: () => undefined, hasServiceAccountToken: () => false };
const inPod: ConfigDeps = { ...deps, inClusterNamespace: () => 'ops', hasServiceAccountToken: () => true };
const POD_ENV = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
const load = (env: Record<string, string> = {}, argv: string[] = [], d = deps) => loadConfig(env, argv, d);

function refused(env: Record<string, string>, argv: string[] = []): string {
  try {
    load(env, argv);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('operator configuration', () => {
  it('has production defaults in a pod: leader election on, all namespaces, port 8081', () => {
    const c = load(POD_ENV, [], { ...inPod, inClusterNamespace: () => undefined });
    expect(c).to.include({
      leaderElect: true,
      leaseName: 'riskmodel-operator',
      leaseNamespace: 'riskmodel-system',
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
      identity: 'laptop-4242',
      httpPort: 8081,
      inferenceImage: DEFAULT_INFERENCE_IMAGE,
      logLevel: 'info',
      kubeconfig: undefined,
    });
    expect(c.watchNamespaces).to.deep.equal([]);
  });

  it('looks for credentials where kubectl does: --kubeconfig, else $KUBECONFIG, else ~/.kube/config, then in-cluster', () => {
    expect(load().kubeconfigFiles).to.deep.equal(['/home/me/.kube/config']);
    expect(load({ KUBECONFIG: '/a:/b' }).kubeconfigFiles).to.deep.equal(['/a', '/b']);
    expect(load({ KUBECONFIG: '/a' }, ['--kubeconfig=/c']).kubeconfigFiles).to.deep.equal(['/c']);
    expect(load({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }).inClusterServer).to.equal('https://10.96.0.1:443');
    expect(load().inClusterServer).to.be.undefined;
  });

  it('runs without leader election outside a cluster, so `npm run operator` works on a fresh cluster with no Lease namespace', () => {
    expect(load().leaderElect).to.be.false;
    expect(load({}, ['--leader-elect=true']).leaderElect).to.be.true;
  });

  it('counts as in a cluster only with both the service host and a mounted token', () => {
    expect(load(POD_ENV, [], inPod).leaderElect).to.be.true;
    expect(load(POD_ENV, [], deps).leaderElect).to.be.false; // a shell that copied a pod's environment
    expect(load({}, [], inPod).leaderElect).to.be.false;
    expect(load({ ...POD_ENV, LEADER_ELECT: 'false' }, [], inPod).leaderElect).to.be.false;
  });

  it('puts the Lease in the pod namespace when running in a cluster', () => {
    expect(load({}, [], { ...deps, inClusterNamespace: () => 'ops' }).leaseNamespace).to.equal('ops');
  });

  it('reads every setting from the environment', () => {
    const c = load({
      WATCH_NAMESPACES: 'team-a, team-b,team-a',
      INFERENCE_IMAGE: 'registry.local/inference:dev',
      LOG_LEVEL: 'debug',
      LEADER_ELECT: 'false',
      LEASE_NAME: 'rm-lock',
      LEASE_NAMESPACE: 'default',
      POD_NAME: 'operator-0',
      HTTP_PORT: '0',
      RESYNC_SECONDS: '60',
      MAX_CONCURRENT_RECONCILES: '4',
    });
    expect(c).to.include({ inferenceImage: 'registry.local/inference:dev', logLevel: 'debug', leaderElect: false, leaseName: 'rm-lock', leaseNamespace: 'default', identity: 'operator-0', httpPort: 0, resyncSeconds: 60, maxConcurrentReconciles: 4 });
    expect(c.watchNamespaces).to.deep.equal(['team-a', 'team-b']);
  });

  it('reads the pods\' drift windows every 15 s unless told otherwise', () => {
    expect(loadConfig({}, [], deps).driftReadSeconds).to.equal(15);
    expect(loadConfig({ DRIFT_READ_SECONDS: '3' }, [], deps).driftReadSeconds).to.equal(3);
    expect(loadConfig({}, ['--drift-read-seconds', '60'], deps).driftReadSeconds).to.equal(60);
  });

  it('says when the inference image was defaulted, so the operator can warn that a cluster may not pull it', () => {
    expect(load().inferenceImageDefaulted).to.be.true;
    expect(load({ INFERENCE_IMAGE: ' ' }).inferenceImageDefaulted).to.be.true;
    expect(load({ INFERENCE_IMAGE: 'localhost/riskmodel-inference:abc' }).inferenceImageDefaulted).to.be.false;
    expect(load({}, ['--inference-image', 'localhost/riskmodel-inference:abc']).inferenceImageDefaulted).to.be.false;
  });

  it('lets flags override the environment, in both --flag value and --flag=value forms', () => {
    const c = load({ LEADER_ELECT: 'true', HTTP_PORT: '9000' }, ['--leader-elect=false', '--http-port', '0', '--kubeconfig', '/tmp/kc']);
    expect(c).to.include({ leaderElect: false, httpPort: 0, kubeconfig: '/tmp/kc' });
  });

  const invalid: [string, Record<string, string>, string[], RegExp][] = [
    ['a log level outside the allowed ones', { LOG_LEVEL: 'verbose' }, [], /LOG_LEVEL="verbose" is invalid: expected one of error, warn, info, debug/],
    ['a boolean that is not true or false', { LEADER_ELECT: 'maybe' }, [], /LEADER_ELECT="maybe" is invalid: expected true or false/],
    ['a port out of range', { HTTP_PORT: '70000' }, [], /HTTP_PORT="70000" is invalid: expected an integer from 0 to 65535/],
    ['a fractional number', { RESYNC_SECONDS: '1.5' }, [], /RESYNC_SECONDS="1.5" is invalid: expected an integer/],
    ['a drift reading period out of range', { DRIFT_READ_SECONDS: '0' }, [], /DRIFT_READ_SECONDS="0" is invalid: expected an integer from 1 to 3600/],
    ['a namespace that is not a DNS label', { WATCH_NAMESPACES: 'ok,Not_OK' }, [], /WATCH_NAMESPACES="Not_OK" is invalid: expected a DNS label/],
    ['a renew deadline not shorter than the lease', { LEASE_DURATION_SECONDS: '10', RENEW_DEADLINE_SECONDS: '10' }, [], /RENEW_DEADLINE_SECONDS \(10\) must be less than LEASE_DURATION_SECONDS \(10\)/],
    ['an unknown flag, listing the allowed ones', {}, ['--leader'], /unknown argument "--leader"; allowed flags: --kubeconfig, .*--leader-elect/],
    ['a flag without its value', {}, ['--log-level'], /--log-level needs a value/],
  ];
  for (const [what, env, argv, message] of invalid) it(`refuses ${what}`, () => expect(refused(env, argv)).to.match(message));

  it('documents every setting in --help', () => {
    for (const name of ['KUBECONFIG', 'WATCH_NAMESPACES', 'INFERENCE_IMAGE', 'LEADER_ELECT', 'LEASE_NAMESPACE', 'HTTP_PORT', 'RESYNC_SECONDS']) expect(usage()).to.include(name);
  });
});
