// The population stability index (PSI) and the quantile binning it is measured on. Pure.
//
// PSI compares a recent distribution `actual` with a reference `expected` over the same bins:
//   PSI = Σ_i (a_i − e_i) · ln(a_i / e_i)
// with a_i and e_i the fractions in bin i. A bin that is empty on either side would make the
// term infinite, so both fractions are floored at PSI_FLOOR first (the usual practice; 1e-4
// means an empty bin against a 10 % reference bin adds (0.1 − 1e-4) · ln(0.1 / 1e-4) ≈ 0.69).
// The usual reading: below 0.1 no significant shift, 0.1 to 0.25 a moderate one worth a
// look, above 0.25 a significant one.

/** The floor applied to every bin fraction before PSI's logarithm (see the file comment). */
export const PSI_FLOOR = 1e-4;

/**
 * PSI of `actual` against `expected`, two lists of bin fractions (or counts: each list is
 * normalized by its own total first) of the same length. Every fraction is floored at
 * PSI_FLOOR. Returns NaN when either side has no mass or the lengths differ. Pure; ≥ 0.
 */
export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (expected.length !== actual.length || expected.length === 0) return NaN;
  const e = total(expected);
  const a = total(actual);
  if (!(e > 0) || !(a > 0)) return NaN;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const ei = Math.max((expected[i] as number) / e, PSI_FLOOR);
    const ai = Math.max((actual[i] as number) / a, PSI_FLOOR);
    sum += (ai - ei) * Math.log(ai / ei);
  }
  return sum;
}

function total(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s;
}

/**
 * The bin of `x` among ascending `edges`: the number of edges ≤ x, so bin 0 is (−∞, edges[0])
 * and bin edges.length is [edges[last], +∞). Values below or above the training range fall in
 * the end bins. A linear scan: there are at most a few edges, and it allocates nothing.
 */
export function binIndex(edges: ArrayLike<number>, x: number): number {
  let i = 0;
  while (i < edges.length && x >= (edges[i] as number)) i++;
  return i;
}

/**
 * Interior cut points for `bins` quantile bins of `values`: the distinct values at the
 * quantiles 1/bins … (bins−1)/bins, ascending. Ties collapse, so a
 * feature with few distinct values gets fewer bins; a constant feature gets none (one bin).
 * Pure; throws on no values or bins < 1.
 */
export function quantileEdges(values: readonly number[], bins: number): number[] {
  if (values.length === 0) throw new Error('quantileEdges: no values');
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`quantileEdges: bins must be an integer ≥ 1, got ${bins}`);
  const sorted = [...values].sort((a, b) => a - b);
  const min = sorted[0] as number;
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    // The first value of the k-th upper part, so with distinct values every bin gets n/bins.
    const edge = sorted[Math.floor((k * sorted.length) / bins)] as number;
    // An edge at the minimum would leave bin 0 empty on the training data itself.
    if (edge > min && edge !== edges[edges.length - 1]) edges.push(edge);
  }
  return edges;
}

/** Fractions of `values` in each bin of `edges` (edges.length + 1 of them, summing to 1). Pure. */
export function binFractions(edges: readonly number[], values: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const x of values) {
    const i = binIndex(edges, x);
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts.map((c) => c / values.length);
}
