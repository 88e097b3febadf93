import { expect } from 'chai';
import { BRIDGE } from '../../localcluster/network.js';
import { assertLocalTarget, inClusterRanges, isLoopbackAddress, type RouteLookup } from './local-target.js';

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

describe('inClusterRanges', () => {
  const cases: Array<[string, boolean]> = [
    ['10.250.0.17', true], ['10.250.0.1', true], ['10.96.0.1', true], ['10.96.255.254', true],
    ['10.250.1.1', false], ['10.97.0.1', false], ['10.95.255.255', false], ['192.168.1.5', false], ['::1', false], ['fd00::1', false],
  ];
  for (const [address, inside] of cases) {
    it(`says ${address} is ${inside ? '' : 'not '}a pod or Service address of the local cluster`, () => expect(inClusterRanges(address)).to.equal(inside));
  }
});

describe('assertLocalTarget', () => {
  const resolver = (table: Record<string, string[]>) => (host: string): Promise<string[]> =>
    table[host] === undefined ? Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`)) : Promise.resolve(table[host]);
  const viaBridge: RouteLookup = () => Promise.resolve(BRIDGE);
  const viaDefault: RouteLookup = () => Promise.resolve('eth0');
  const refused = (p: Promise<void>): Promise<Error | undefined> => p.then(() => undefined, (e: unknown) => e as Error);

  it('accepts loopback literals without resolving them', async () => {
    await assertLocalTarget('127.0.0.1', { resolve: resolver({}), routeDevice: viaDefault });
    await assertLocalTarget('[::1]', { resolve: resolver({}), routeDevice: viaDefault });
  });

  it('accepts a name that resolves only to loopback addresses', async () => {
    await assertLocalTarget('localhost', { resolve: resolver({ localhost: ['127.0.0.1', '::1'] }), routeDevice: viaDefault });
  });

  it('accepts a Service ClusterIP and a pod IP that the kernel routes to the cluster bridge', async () => {
    await assertLocalTarget('10.96.14.2', { resolve: resolver({}), routeDevice: viaBridge });
    await assertLocalTarget('10.250.0.23', { resolve: resolver({}), routeDevice: viaBridge });
  });

  it('refuses a cluster-range address when the bridge is not there (the packet would take the default route)', async () => {
    const err = await refused(assertLocalTarget('10.96.14.2', { resolve: resolver({}), routeDevice: viaDefault }));
    expect(err?.message).to.match(/^refusing to send load to 10\.96\.14\.2: .*routes it via eth0, not the cluster bridge riskbr0/);
  });

  it('refuses a remote address even when it is routed to the bridge, saying why and how to allow it', async () => {
    const err = await refused(assertLocalTarget('10.1.2.3', { resolve: resolver({}), routeDevice: viaBridge }));
    expect(err?.message).to.match(/^refusing to send load to 10\.1\.2\.3: 10\.1\.2\.3 is neither loopback nor in the local cluster's ranges/);
    expect(err?.message).to.include('kubectl port-forward').and.to.include('--allow-remote');
  });

  it('refuses a name when any of its addresses is remote', async () => {
    const err = await refused(assertLocalTarget('mixed.test', { resolve: resolver({ 'mixed.test': ['127.0.0.1', '203.0.113.9'] }), routeDevice: viaBridge }));
    expect(err?.message).to.match(/^refusing to send load to mixed\.test \(127\.0\.0\.1, 203\.0\.113\.9\): 203\.0\.113\.9 is neither/);
  });

  it('refuses a name that does not resolve, with the resolver\'s reason', async () => {
    const err = await refused(assertLocalTarget('nowhere.test', { resolve: resolver({}), routeDevice: viaBridge }));
    expect(err?.message).to.equal('cannot resolve nowhere.test: getaddrinfo ENOTFOUND nowhere.test');
  });
});
