import { expect } from 'chai';
import path from 'node:path';
import { loadConfig } from './config.js';

describe('local cluster configuration', () => {
  it('keeps image archives and buildah storage under the binary cache, and buildah run state on tmpfs, one per storage', () => {
    const { images } = loadConfig({ RISKMODEL_CACHE_DIR: '/cache', XDG_RUNTIME_DIR: '/run/user/0' });
    expect(images).to.include({ dir: '/cache/images', storageRoot: '/cache/images/storage' });
    expect(images.runRoot).to.match(/^\/run\/user\/0\/riskmodel-operator-buildah-[0-9a-f]{8}$/);
    expect(loadConfig({ RISKMODEL_CACHE_DIR: '/cache' }).images.runRoot).to.match(/^\/run\/riskmodel-operator-buildah-[0-9a-f]{8}$/);
    expect(loadConfig({ RISKMODEL_CACHE_DIR: '/other' }).images.runRoot).not.to.equal(loadConfig({ RISKMODEL_CACHE_DIR: '/cache' }).images.runRoot);
  });

  it('hands the builds the system CA bundle plus NODE_EXTRA_CA_CERTS, each once', () => {
    expect(loadConfig({}).images.caFiles).to.deep.equal(['/etc/ssl/certs/ca-certificates.crt']);
    expect(loadConfig({ SSL_CERT_FILE: '/a.pem', NODE_EXTRA_CA_CERTS: '/b.pem' }).images.caFiles).to.deep.equal(['/a.pem', '/b.pem']);
    expect(loadConfig({ SSL_CERT_FILE: '/a.pem', NODE_EXTRA_CA_CERTS: '/a.pem' }).images.caFiles).to.deep.equal(['/a.pem']);
  });

  it('copies the running node and finds npm through npm run, or beside node otherwise', () => {
    expect(loadConfig({ npm_execpath: '/opt/npm/bin/npm-cli.js' }).images).to.include({ nodeBinary: process.execPath, npmDir: '/opt/npm' });
    expect(loadConfig({}).images.npmDir).to.equal(path.resolve(path.dirname(process.execPath), '../lib/node_modules/npm'));
  });
});
