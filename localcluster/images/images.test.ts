import { expect } from 'chai';
import { versionsToEvict, type BuiltImage, type ImageName } from './images.js';

const now = Date.parse('2026-12-01T12:00:00Z');
const hoursAgo = (h: number): string => new Date(now - h * 3600_000).toISOString();
const image = (name: ImageName, hash: string, usedAt = hoursAgo(2)): BuiltImage => ({
  name, hash, ref: `localhost/${name}:${hash}`, archive: `/c/${name}-${hash}.tar`, bytes: 1, builtAt: usedAt, buildMs: 0, usedAt,
});

describe('image cache eviction', () => {
  it('keeps the most recently used versions of each image and evicts the rest, per name', () => {
    // Most recently used first, as builtImages returns them; two worktrees interleave their versions.
    const built = [
      image('riskmodel-inference', 'a'), image('riskmodel-operator', 'x'), image('riskmodel-inference', 'b'),
      image('riskmodel-node20', 'n'), image('riskmodel-inference', 'c'), image('riskmodel-inference', 'd'), image('riskmodel-operator', 'y'),
    ];
    expect(versionsToEvict(built, now, 3).map((i) => i.ref)).to.deep.equal(['localhost/riskmodel-inference:d']);
    expect(versionsToEvict(built, now, 1).map((i) => i.ref)).to.deep.equal([
      'localhost/riskmodel-inference:b', 'localhost/riskmodel-inference:c', 'localhost/riskmodel-inference:d', 'localhost/riskmodel-operator:y',
    ]);
    expect(versionsToEvict([], now, 3)).to.deep.equal([]);
  });

  it('never evicts a version used within the grace period, however many there are', () => {
    const built = ['a', 'b', 'c', 'd'].map((h, i) => image('riskmodel-inference', h, hoursAgo(i * 0.2)));
    expect(versionsToEvict(built, now, 1, 3600_000)).to.deep.equal([]);
    expect(versionsToEvict([...built, image('riskmodel-inference', 'e', hoursAgo(1.5))], now, 1, 3600_000).map((i) => i.hash)).to.deep.equal(['e']);
  });
});
