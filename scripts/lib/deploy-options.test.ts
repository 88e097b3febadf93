import { expect } from 'chai';
import { UsageError } from './args.js';
import { deployHelp, parseDeployArgs, parseUndeployArgs, registryImages, UNDEPLOY_HELP } from './deploy-options.js';

const deploy = (...argv: string[]) => {
  const command = parseDeployArgs(argv, '0.1.0');
  if (command.help) throw new Error('expected options, got --help');
  return command.options;
};

function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('npm run deploy options', () => {
  it('installs on the local cluster, watching every namespace, waiting 300 s, by default', () => {
    expect(deploy()).to.deep.equal({ images: { kind: 'local' }, watchNamespaces: [], timeoutSeconds: 300 });
  });

  it('runs the registry images at the package version unless --tag says otherwise', () => {
    expect(deploy('--image-prefix', 'registry.example.com/team/').images).to.deep.equal({ kind: 'registry', prefix: 'registry.example.com/team', tag: '0.1.0' });
    expect(deploy('--image-prefix=registry.example.com:5000/team', '--tag', 'v2.1').images).to.deep.equal({ kind: 'registry', prefix: 'registry.example.com:5000/team', tag: 'v2.1' });
  });

  it('names the two images under the prefix', () => {
    expect(registryImages({ prefix: 'registry.example.com/team', tag: 'v2' })).to.deep.equal({
      operator: 'registry.example.com/team/riskmodel-operator:v2',
      inference: 'registry.example.com/team/riskmodel-inference:v2',
    });
  });

  it('watches the namespaces given by --namespace or --watch-namespaces, once each', () => {
    expect(deploy('-n', 'clinical').watchNamespaces).to.deep.equal(['clinical']);
    expect(deploy('--watch-namespaces', 'a, b,a').watchNamespaces).to.deep.equal(['a', 'b']);
  });

  const refusals: Array<[string, string[], RegExp]> = [
    ['a tag without a registry', ['--tag', 'v1'], /--tag goes with --image-prefix/],
    ['a prefix with a tag in it', ['--image-prefix', 'registry.example.com/team:v1'], /--image-prefix must be a registry path/],
    ['a prefix without a path', ['--image-prefix', 'registry.example.com'], /--image-prefix must be a registry path/],
    ['an uppercase prefix', ['--image-prefix', 'Registry.example.com/Team'], /--image-prefix must be a registry path/],
    ['a malformed tag', ['--image-prefix', 'r.example/t', '--tag', '-x'], /--tag must be an image tag/],
    ['both namespace flags', ['-n', 'a', '--watch-namespaces', 'b'], /either --namespace or --watch-namespaces/],
    ['a namespace that is not a DNS label', ['--namespace', 'Team_A'], /--namespace: "Team_A" is not a namespace name/],
    ['an empty namespace list', ['--watch-namespaces', ' , '], /needs at least one namespace/],
    ['a timeout out of range', ['--timeout', '5'], /--timeout must be a whole number from 10 to 3600 seconds, got "5"/],
    ['an unknown flag', ['--crd'], /unknown flag --crd/],
    ['a positional argument', ['riskmodel-system'], /unexpected argument "riskmodel-system"/],
  ];
  for (const [name, argv, message] of refusals) it(`refuses ${name}, naming the flag`, () => expect(refusal(() => parseDeployArgs(argv, '0.1.0'))).to.match(message));

  it('answers --help with the flags and the default tag', () => {
    expect(parseDeployArgs(['--help'], '0.1.0')).to.deep.equal({ help: true });
    expect(deployHelp('0.1.0')).to.include('--image-prefix REGISTRY/PATH').and.include('default: the package version, 0.1.0');
  });
});

describe('npm run undeploy options', () => {
  it('keeps the CRD unless --crd is given', () => {
    expect(parseUndeployArgs([])).to.deep.equal({ help: false, options: { crd: false, timeoutSeconds: 300 } });
    expect(parseUndeployArgs(['--crd', '--timeout=60'])).to.deep.equal({ help: false, options: { crd: true, timeoutSeconds: 60 } });
  });

  it('refuses deploy-only flags and answers --help', () => {
    expect(refusal(() => parseUndeployArgs(['--image-prefix', 'r/t']))).to.match(/unknown flag --image-prefix/);
    expect(parseUndeployArgs(['-h'])).to.deep.equal({ help: true });
    expect(UNDEPLOY_HELP).to.include('--crd');
  });
});
