// The sliding window of recently scored rows that drift is measured on: the last `capacity`
// rows, kept as their bin indices (one byte per feature, one for the predicted class, one
// for the out-of-range mask) in a ring buffer, with per-bin counts updated as rows enter and
// leave. Memory is fixed at construction (capacity × (features + 2) bytes plus the counts);
// adding a row is a few comparisons and array writes, and allocates nothing.
//
// A count window, not a time window: PSI's sampling noise depends on how many rows it is
// measured on, so a fixed count gives the same false-alarm rate at 5 requests a second and at
// 5,000, and the memory does not grow with the rate. How old the window is depends on the rate.

/** One feature's binning: the reference's edges and training range. */
export interface Binning {
  edges: ArrayLike<number>;
  min: number;
  max: number;
}

/** What the window holds now: counts per feature bin and per class, and out-of-range rows. */
export interface WindowCounts {
  rows: number;
  /** Per feature, per bin. */
  bins: number[][];
  classes: number[];
  /** Per feature: rows in the window with this feature outside the training range. */
  outOfRange: number[];
}

function bump(counts: Float64Array | Int32Array, i: number, by: number): void {
  counts[i] = (counts[i] as number) + by;
}

export class DriftWindow {
  private readonly ring: Uint8Array;
  private readonly stride: number;
  /** Per feature, the offset of its first bin in `counts`. */
  private readonly offsets: Int32Array;
  private readonly counts: Int32Array;
  private readonly classCounts: Float64Array;
  private readonly outCounts: Float64Array;
  /** Since start, per feature: rows outside the training range (the Prometheus counter). */
  readonly outOfRangeTotal: Float64Array;
  private readonly edges: Float64Array[];
  /** Every feature's edges end to end; feature j's end at edgeEnds[j]. */
  private readonly flatEdges: Float64Array;
  private readonly edgeEnds: Int32Array;
  private readonly mins: Float64Array;
  private readonly maxs: Float64Array;
  private next = 0;
  private size = 0;

  /** Throws unless capacity ≥ 1, at most 8 features (the mask is a byte) and at most 255 bins a feature. */
  constructor(binnings: readonly Binning[], classCount: number, readonly capacity: number) {
    const n = binnings.length;
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`DriftWindow: capacity must be a whole number ≥ 1, got ${capacity}`);
    if (n > 8 || binnings.some((b) => b.edges.length > 254)) throw new Error('DriftWindow: at most 8 features of at most 255 bins');
    this.stride = n + 2;
    this.ring = new Uint8Array(capacity * this.stride);
    this.edges = binnings.map((b) => Float64Array.from(b.edges));
    this.flatEdges = Float64Array.from(this.edges.flatMap((e) => Array.from(e)));
    this.edgeEnds = new Int32Array(n);
    let end = 0;
    this.edges.forEach((e, j) => (this.edgeEnds[j] = end += e.length));
    this.mins = Float64Array.from(binnings, (b) => b.min);
    this.maxs = Float64Array.from(binnings, (b) => b.max);
    this.offsets = new Int32Array(n);
    let at = 0;
    binnings.forEach((b, j) => {
      this.offsets[j] = at;
      at += b.edges.length + 1;
    });
    this.counts = new Int32Array(at);
    this.classCounts = new Float64Array(classCount);
    this.outCounts = new Float64Array(n);
    this.outOfRangeTotal = new Float64Array(n);
  }

  /** Rows in the window now (at most `capacity`). */
  get rows(): number {
    return this.size;
  }

  /**
   * Adds one scored row: `values[at + j]` is feature j, `cls` the predicted class index.
   * The oldest row leaves once the window is full. Allocates nothing.
   */
  add(values: ArrayLike<number>, at: number, cls: number): void {
    const { ring, counts, flatEdges, edgeEnds, offsets, mins, maxs } = this;
    const base = this.next * this.stride;
    const n = offsets.length;
    if (this.size === this.capacity) this.evict(base, n);
    else this.size++;
    let mask = 0;
    let e = 0;
    for (let j = 0; j < n; j++) {
      const x = values[at + j] as number;
      // binIndex over this feature's slice of the flat edges, inlined: this runs per row.
      const first = e;
      const end = edgeEnds[j] as number;
      while (e < end && x >= (flatEdges[e] as number)) e++;
      const bin = e - first;
      e = end;
      ring[base + j] = bin;
      const k = (offsets[j] as number) + bin;
      counts[k] = (counts[k] as number) + 1;
      if (x < (mins[j] as number) || x > (maxs[j] as number)) mask |= this.outOfRange(j);
    }
    ring[base + n] = cls;
    bump(this.classCounts, cls, 1);
    ring[base + n + 1] = mask;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
  }

  private outOfRange(j: number): number {
    bump(this.outCounts, j, 1);
    bump(this.outOfRangeTotal, j, 1);
    return 1 << j;
  }

  private evict(base: number, n: number): void {
    for (let j = 0; j < n; j++) bump(this.counts, (this.offsets[j] as number) + (this.ring[base + j] as number), -1);
    bump(this.classCounts, this.ring[base + n] as number, -1);
    const mask = this.ring[base + n + 1] as number;
    for (let j = 0; mask !== 0 && j < n; j++) if (mask & (1 << j)) bump(this.outCounts, j, -1);
  }

  /** A copy of the window's counts. */
  snapshot(): WindowCounts {
    const bins = this.edges.map((e, j) => Array.from(this.counts.subarray(this.offsets[j] as number, (this.offsets[j] as number) + e.length + 1)));
    return { rows: this.size, bins, classes: Array.from(this.classCounts), outOfRange: Array.from(this.outCounts) };
  }
}
