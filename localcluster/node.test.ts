import { expect } from 'chai';
import { onPath, repositoryOf } from './node.js';

describe('real node helpers', () => {
  it('takes the repository of an image reference, keeping a registry port', () => {
    expect(repositoryOf('localhost/riskmodel-inference:079bca8b22f3')).to.equal('localhost/riskmodel-inference');
    expect(repositoryOf('localhost:5000/app:1')).to.equal('localhost:5000/app');
    expect(repositoryOf('localhost:5000/app')).to.equal('localhost:5000/app');
  });

  it('finds an executable on PATH and nothing where there is none', () => {
    expect(onPath('sh', { PATH: '/nonexistent:/bin' })).to.equal('/bin/sh');
    expect(onPath('sh', { PATH: '/nonexistent' })).to.be.undefined;
  });
});
