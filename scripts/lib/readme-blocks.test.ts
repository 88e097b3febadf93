import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { alternativeStep, blocksUnder, npmScriptOf, splitComment, stepsOf } from './readme-blocks.js';

const README = [
  '# title',
  '## Quick start',
  'text',
  '```sh',
  'npm run demo   # the demo',
  '```',
  '## Operating it',
  '```console',
  '$ not a command',
  '```',
  '```sh',
  'export KUBECONFIG=$PWD/kc',
  '# from source: npm run operator   # (Ctrl-C to stop)',
  'npm run watch   # live view (Ctrl-C to stop)',
  'kubectl port-forward service/x 8080:80 &   # job 1',
  "curl -s localhost:8080/predict -d '{\"a\":\"#1\"}'   # a prediction",
  'kill %1',
  '```',
  '### a sub-heading stays in the section',
  '```sh',
  'npm run undeploy',
  '```',
  '## Next',
  '```sh',
  'not this',
  '```',
].join('\n');

describe('README command blocks', () => {
  it('finds the sh blocks of a section, sub-headings included, and no other block', () => {
    expect(blocksUnder(README, 'Quick start')).to.deep.equal(['npm run demo   # the demo']);
    const blocks = blocksUnder(README, 'Operating it');
    expect(blocks).to.have.length(2);
    expect(blocks[1]).to.equal('npm run undeploy');
  });

  it('names a missing section', () => {
    expect(() => blocksUnder(README, 'Nowhere')).to.throw(/no section "## Nowhere"/);
  });

  it('splits a trailing comment off, but not a # inside quotes or a word', () => {
    expect(splitComment("curl -d '{\"a\":\"#1\"}' # why")).to.deep.equal({ command: "curl -d '{\"a\":\"#1\"}'", comment: 'why' });
    expect(splitComment('echo a#b')).to.deep.equal({ command: 'echo a#b', comment: '' });
  });

  it('classifies each line: foreground until Ctrl-C, background jobs numbered in order, kill by job, the rest run', () => {
    const steps = stepsOf(blocksUnder(README, 'Operating it')[0] ?? '');
    expect(steps.map((s) => s.kind)).to.deep.equal(['run', 'foreground', 'background', 'run', 'kill']);
    expect(steps[1]).to.include({ command: 'npm run watch' });
    expect(steps[2]).to.include({ command: 'kubectl port-forward service/x 8080:80', job: 1 });
    expect(steps[4]).to.deep.include({ jobs: [1] });
  });

  it('does not take && for a background job', () => {
    expect(stepsOf('kubectl apply -f crds/ && npm run operator')[0]?.kind).to.equal('run');
  });

  it('refuses a kill of a job that was never started', () => {
    expect(() => stepsOf('kill %2')).to.throw(/stops job %2, but only 0 background job/);
  });

  it('reads a commented-out alternative as a step of its own', () => {
    expect(alternativeStep(blocksUnder(README, 'Operating it')[0] ?? '', 'from source')).to.deep.equal({
      kind: 'foreground', line: 'npm run operator   # (Ctrl-C to stop)', command: 'npm run operator',
    });
    expect(alternativeStep('npm test', 'from source')).to.be.undefined;
  });

  const scripts: Array<[string, string | undefined]> = [
    ['npm run demo   # x', 'demo'], ['npm run cluster:up', 'cluster:up'], ['npm test', 'test'], ['npm run-script watch -- -A', 'watch'], ['npx tsx a.ts', undefined],
  ];
  for (const [command, script] of scripts) it(`reads "${command}" as the npm script ${String(script)}`, () => expect(npmScriptOf(command)).to.equal(script));

  it("reads the repository's README as test/e2e/readme.test.ts needs it: one block each, a from-source line, every kill of a started job", () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    expect(blocksUnder(readme, 'Quick start')).to.have.length(1);
    const operating = blocksUnder(readme, 'Operating it');
    expect(operating).to.have.length(1);
    expect(stepsOf(operating[0] ?? '').length).to.be.above(5);
    expect(alternativeStep(operating[0] ?? '', 'from source')?.kind).to.equal('foreground');
  });
});
