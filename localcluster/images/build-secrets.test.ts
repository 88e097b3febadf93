import { expect } from 'chai';
import { buildNpmrc, SECRET_TARGET } from './build-secrets.js';

describe('build secrets', () => {
  it('keeps the user npm settings that mean the same inside a build, drops host paths, and points cafile at the mounted bundle', () => {
    const user = [
      '//registry.example/:_authToken=abc',
      '@acme:registry=https://npm.acme.example/',
      'fund=false',
      'cafile=/etc/host/ca.pem',
      'nodedir=/usr/include/node',
      'prefix = /opt/npm',
      'registry=https://stale.example/',
      '; a comment',
      '',
    ].join('\n');
    expect(buildNpmrc(user, 'https://registry.example/').split('\n')).to.deep.equal([
      '//registry.example/:_authToken=abc',
      '@acme:registry=https://npm.acme.example/',
      'fund=false',
      'registry=https://registry.example/',
      `cafile=${SECRET_TARGET.ca}`,
      '',
    ]);
  });

  it('works without a user npmrc', () => {
    expect(buildNpmrc('', 'https://r.example/')).to.equal(`registry=https://r.example/\ncafile=${SECRET_TARGET.ca}\n`);
  });
});
