import { expect } from 'chai';
import { parseUpArgs } from './cli-args.js';

describe('cluster:up arguments', () => {
  it('starts the configured mode by default, kwok-only with --kwok-only', () => {
    expect(parseUpArgs([], 'real-node')).to.deep.equal({ mode: 'real-node' });
    expect(parseUpArgs(['--kwok-only'], 'real-node')).to.deep.equal({ mode: 'kwok-only' });
    expect(parseUpArgs(['--real-node'], 'kwok-only')).to.deep.equal({ mode: 'real-node' });
  });

  it('refuses an unknown option, naming it and the allowed ones', () => {
    expect(() => parseUpArgs(['--fast'], 'real-node')).to.throw(/unknown option "--fast" for cluster:up; allowed: --kwok-only .*--real-node/);
  });
});
