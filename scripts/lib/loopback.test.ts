import { expect } from 'chai';
import { assertLoopbackTarget, isLoopbackAddress } from './loopback.js';

describe('isLoopbackAddress', () => {
  const cases: Array<[string, boolean]> = [
    ['127.0.0.1', true], ['127.8.9.10', true], ['::1', true], ['[::1]', true], ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false], ['192.168.1.5', false], ['0.0.0.0', false], ['::', false], ['::ffff:10.0.0.1', false],
    ['128.0.0.1', false], ['localhost', false], ['example.com', false],
  ];
  for (const [address, loopback] of cases) {
    it(`${loopback ? 'accepts' : 'refuses'} ${address}`, () => expect(isLoopbackAddress(address)).to.equal(loopback));
  }
});

describe('assertLoopbackTarget', () => {
  const resolver = (table: Record<string, string[]>) => (host: string): Promise<string[]> =>
    table[host] === undefined ? Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`)) : Promise.resolve(table[host]);

  it('accepts loopback literals without resolving them', async () => {
    await assertLoopbackTarget('127.0.0.1', resolver({}));
    await assertLoopbackTarget('[::1]', resolver({}));
  });

  it('accepts a name that resolves only to loopback addresses', async () => {
    await assertLoopbackTarget('localhost', resolver({ localhost: ['127.0.0.1', '::1'] }));
  });

  it('refuses a remote address, saying why and how to allow it', async () => {
    const err = await assertLoopbackTarget('10.1.2.3', resolver({})).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.match(/^refusing to send load to 10\.1\.2\.3: it is not a loopback address\./);
    expect(err?.message).to.include('kubectl port-forward').and.to.include('--allow-remote');
  });

  it('refuses a name when any of its addresses is remote', async () => {
    const err = await assertLoopbackTarget('mixed.test', resolver({ 'mixed.test': ['127.0.0.1', '203.0.113.9'] })).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.match(/^refusing to send load to mixed\.test \(127\.0\.0\.1, 203\.0\.113\.9\)/);
  });

  it('refuses a name that does not resolve, with the resolver\'s reason', async () => {
    const err = await assertLoopbackTarget('nowhere.test', resolver({})).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.equal('cannot resolve nowhere.test: getaddrinfo ENOTFOUND nowhere.test');
  });
});
