import { expect } from 'chai';
import { buildEnv, elapsed } from './build.js';

describe('local cluster builds', () => {
  it('run go build with the compiler collecting garbage less often (GOGC=400), keeping the rest of the environment', () => {
    expect(buildEnv({ PATH: '/usr/bin', GOFLAGS: '-buildvcs=false' })).to.deep.equal({ PATH: '/usr/bin', GOFLAGS: '-buildvcs=false', GOGC: '400' });
  });

  it('leave a GOGC the user set alone', () => {
    expect(buildEnv({ GOGC: '100' }).GOGC).to.equal('100');
    expect(buildEnv({ GOGC: 'off' }).GOGC).to.equal('off');
  });

  it('print durations as minutes and seconds', () => {
    expect(elapsed(125_400)).to.equal('2m05s');
    expect(elapsed(0)).to.equal('0m00s');
  });
});
