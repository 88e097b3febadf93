// The figures: percentiles, memory from /proc, the machine's load, and the printed table.
import { readFile } from 'node:fs/promises';
import type { Options } from './options.js';

export interface Figures {
  floorMs: number;
  operatorMs: number;
  edits: number[];
  idleOperatorWrites: Record<string, number>;
  idleOperatorRequests: Record<string, number>;
  idleServerWrites: Record<string, number>;
  rssMb: number;
  hwmMb: number;
}

export async function memoryOf(pid: number): Promise<{ rssMb: number; hwmMb: number }> {
  return parseMemory(await readFile(`/proc/${pid}/status`, 'utf8'));
}

/** Resident and peak memory (MiB) from the text of /proc/<pid>/status; NaN for a field that is missing. Pure. */
export function parseMemory(status: string): { rssMb: number; hwmMb: number } {
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export const withoutEvents = (counts: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(counts).filter(([key]) => key !== 'events'));
const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
const detail = (counts: Record<string, number>): string =>
  Object.keys(counts).length === 0 ? '' : ` (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')})`;

export function report(options: Options, figures: Figures, load: string): void {
  const ratio = figures.operatorMs / figures.floorMs;
  const p50 = percentile(figures.edits, 50);
  const p99 = percentile(figures.edits, 99);
  const rows: [string, string, string, string][] = [
    [`${options.count} RiskModels: apply → all Ready`, `${(figures.operatorMs / 1000).toFixed(1)} s`, '≤ 1.5× floor', verdict(ratio <= 1.5)],
    [`floor: ${options.count * 3} children applied directly (SSA)`, `${(figures.floorMs / 1000).toFixed(1)} s`, '', ''],
    ['ratio operator / floor', `${ratio.toFixed(2)}×`, '≤ 1.50×', verdict(ratio <= 1.5)],
    [`spec edit → HPA updated, p50 (${figures.edits.length} edits)`, `${p50.toFixed(0)} ms`, '≤ 50 ms', verdict(p50 <= 50)],
    [`spec edit → HPA updated, p99 (${figures.edits.length} edits)`, `${p99.toFixed(0)} ms`, '≤ 250 ms', verdict(p99 <= 250)],
    [`objects the operator changed, ${options.idleSeconds} s idle, ${options.idleCount} RiskModels`, `${total(figures.idleOperatorWrites)}${detail(figures.idleOperatorWrites)}`, '0', verdict(total(figures.idleOperatorWrites) === 0)],
    ['  write requests the operator counted itself (its /metrics)', `${total(figures.idleOperatorRequests)}${detail(figures.idleOperatorRequests)}`, '0', verdict(total(figures.idleOperatorRequests) === 0)],
    ['  API server write requests to RiskModels and children (all clients)', `${total(withoutEvents(figures.idleServerWrites))}${detail(withoutEvents(figures.idleServerWrites))}`, '0', verdict(total(withoutEvents(figures.idleServerWrites)) === 0)],
    ['  API server event writes, cluster-wide (all components)', String(figures.idleServerWrites['events'] ?? 0), '', ''],
    [`operator RSS at the end (peak), ${options.source ? 'from source via tsx' : 'compiled'}`, `${figures.rssMb.toFixed(0)} MB (${figures.hwmMb.toFixed(0)} MB)`, options.count >= 1000 ? '≤ 150 MB' : '≤ 150 MB at 1,000', options.count >= 1000 ? verdict(figures.rssMb <= 150) : ''],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ['measure', 'value', 'goal', ''][c]!.length));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  console.log(`\nOperator benchmark — ${new Date().toISOString()} — load ${load}`);
  console.log(line(['measure', 'value', 'goal', '']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log(`\nedit latencies (ms): min ${Math.min(...figures.edits).toFixed(0)}, mean ${(figures.edits.reduce((a, b) => a + b, 0) / figures.edits.length).toFixed(0)}, max ${Math.max(...figures.edits).toFixed(0)}`);
}

export const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

export async function loadAverage(): Promise<string> {
  const text = await readFile('/proc/loadavg', 'utf8');
  return `${text.split(' ').slice(0, 3).join(' ')} (1/5/15 min, ${(await readFile('/proc/cpuinfo', 'utf8')).split('\nprocessor').length} CPUs)`;
}
