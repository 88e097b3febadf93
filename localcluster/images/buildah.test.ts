import { expect } from 'chai';
import { isProgressLine, storageFlags } from './buildah.js';

describe('buildah plumbing', () => {
  it('echoes build steps of single- and multi-stage builds and mmdebstrap phases, not their chatter', () => {
    for (const line of ['STEP 2/9: WORKDIR /app', '[1/2] STEP 4/9: RUN npm ci', 'COMMIT localhost/x:1', 'I: downloading packages with apt...']) expect(isProgressLine(line), line).to.be.true;
    for (const line of ['added 352 packages in 31s', '--> e170b5c393a', 'Copying blob sha256:2e55', 'I: removing tempdir /tmp/x']) expect(isProgressLine(line), line).to.be.false;
  });

  it('points every call at the project storage with the overlay driver', () => {
    expect(storageFlags({ storageRoot: '/c/images/storage', runRoot: '/run/x' })).to.deep.equal(['--root', '/c/images/storage', '--runroot', '/run/x', '--storage-driver', 'overlay']);
  });
});
