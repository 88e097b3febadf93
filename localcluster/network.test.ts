import { expect } from 'chai';
import { cidrRange, conflictingRoutes, ipv4ToNumber, overlaps, ROUTED_CIDRS } from './network.js';

describe('cluster network ranges', () => {
  it('routes the node subnet and the Service range to the bridge', () => {
    expect(ROUTED_CIDRS).to.deep.equal(['10.250.0.0/24', '10.96.0.0/16']);
  });

  it('computes the first and last address of a CIDR, and treats a bare address as a /32', () => {
    expect(cidrRange('10.250.0.0/24')).to.deep.equal([ipv4ToNumber('10.250.0.0'), ipv4ToNumber('10.250.0.255')]);
    expect(cidrRange('192.0.2.7')).to.deep.equal([ipv4ToNumber('192.0.2.7'), ipv4ToNumber('192.0.2.7')]);
    expect(cidrRange('10.96.5.9/16')[0]).to.equal(ipv4ToNumber('10.96.0.0'));
  });

  it('tells overlapping ranges from disjoint ones', () => {
    expect(overlaps('10.0.0.0/8', '10.250.0.0/24')).to.be.true;
    expect(overlaps('10.250.0.128/25', '10.250.0.0/24')).to.be.true;
    expect(overlaps('10.251.0.0/24', '10.250.0.0/24')).to.be.false;
    expect(overlaps('192.0.2.0/24', '10.96.0.0/16')).to.be.false;
  });

  it('refuses malformed addresses with a message naming them', () => {
    expect(() => ipv4ToNumber('10.0.0.256')).to.throw(/not an IPv4 address: 10.0.0.256/);
    expect(() => cidrRange('10.0.0.0/33')).to.throw(/bad prefix length in 10.0.0.0\/33/);
  });

  it('finds host routes our routes would shadow, ignoring the default route and our own bridge', () => {
    const routes = [
      { dst: 'default', dev: 'eth0' },
      { dst: '192.0.2.0/24', dev: 'eth0' },
      { dst: '10.0.0.0/8', dev: 'vpn0' },
      { dst: '10.250.0.0/24', dev: 'riskbr0' },
    ];
    expect(conflictingRoutes(routes)).to.deep.equal([{ dst: '10.0.0.0/8', dev: 'vpn0' }]);
    expect(conflictingRoutes(routes.filter((r) => r.dev !== 'vpn0'))).to.be.empty;
  });
});
