import { expect } from 'chai';
import { mulberry32, normalSource } from './random.js';

describe('seeded random numbers', () => {
  it('repeats the same sequence for the same seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).to.deep.equal(first);
  });

  it('pins the first values of seed 1 so a change of algorithm is noticed', () => {
    const next = mulberry32(1);
    expect([next(), next(), next()].map((x) => x.toFixed(10))).to.deep.equal(['0.6270739406', '0.0027357212', '0.5274470400']);
  });

  it('stays within [0, 1) and differs between seeds', () => {
    const values = Array.from({ length: 10_000 }, mulberry32(3));
    expect(Math.min(...values)).to.be.at.least(0);
    expect(Math.max(...values)).to.be.below(1);
    expect(mulberry32(4)()).to.not.equal(mulberry32(3)());
  });

  it('draws standard normal numbers (mean ≈ 0, sd ≈ 1)', () => {
    const normal = normalSource(mulberry32(11));
    const xs = Array.from({ length: 20_000 }, normal);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).to.be.closeTo(0, 0.03);
    expect(sd).to.be.closeTo(1, 0.03);
  });
});
