// Tiny text charts for terminal views. Pure string functions: no terminal, no clock, so
// the watch CLI and the demo's live view draw the same pictures and tests can pin them.

const LEVELS = '▁▂▃▄▅▆▇█';
const TOP = LEVELS.length - 1;

/** One sample of a series; `undefined` means "no data" (e.g. the HPA has not reported yet). */
export type Sample = number | undefined;

/**
 * Draws `values` as a one-row sparkline, one character a sample, on a fixed scale from 0 to
 * `max`, so the same value always draws the same bar as the series scrolls. Values above
 * `max` draw a full bar; missing samples draw a space. `max` ≤ 0 draws every present
 * sample as the lowest bar.
 */
export function sparkline(values: readonly Sample[], max: number): string {
  return values.map((value) => bar(value, max)).join('');
}

function bar(value: Sample, max: number): string {
  if (value === undefined || !Number.isFinite(value)) return ' ';
  if (max <= 0 || value <= 0) return LEVELS[0] ?? ' ';
  const level = Math.min(TOP, Math.round((value / max) * TOP));
  return LEVELS[level] ?? ' ';
}

/**
 * The last `width` samples of `values`, left-padded with missing samples when there are
 * fewer, so a new series grows from the right edge like `top` and Grafana do.
 */
export function lastSamples(values: readonly Sample[], width: number): Sample[] {
  const count = Math.max(0, Math.floor(width));
  if (count === 0) return [];
  const tail = values.slice(-count);
  return [...new Array<Sample>(count - tail.length).fill(undefined), ...tail];
}

/** The largest present sample, or `floor` when all are missing or smaller. */
export function peak(values: readonly Sample[], floor: number): number {
  return values.reduce<number>((top, value) => (value !== undefined && value > top ? value : top), floor);
}
