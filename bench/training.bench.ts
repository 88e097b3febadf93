// `npm run bench:training`: wall and CPU time of training 1,000 records (the early-warning
// model, its calibration and the raw-feature baseline, as `npm run train` does) on each
// documented seed, beside the raw-feature fit alone — the whole of training before the
// transform existed — measured in the same run. CPU time is printed because other load on
// the machine stretches wall time far more than it stretches CPU time.

import { loadavg } from 'node:os';
import { RAW_TRANSFORM } from '../inference/features.js';
import { generatePatients } from '../inference/generator.js';
import { fitOrdinal, stratifiedSplit, train } from '../inference/training.js';

const SEEDS = [42, 1, 7, 2026];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GOAL_MS = 2000;

function measure(run: () => unknown): { wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  run();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

console.log(`load average before: ${load()}   ${ROUNDS} rounds a seed, 1,000 records`);
for (const seed of SEEDS) {
  const records = generatePatients({ samples: 1000, seed });
  const full: Array<{ wallMs: number; cpuMs: number }> = [];
  const raw: Array<{ wallMs: number; cpuMs: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    full.push(measure(() => train(records, { seed, labelNoise: 0.05 })));
    raw.push(measure(() => fitOrdinal(RAW_TRANSFORM, stratifiedSplit(records, 0.2, seed).train)));
  }
  const wall = median(full.map((m) => m.wallMs));
  const cpu = median(full.map((m) => m.cpuMs));
  console.log(
    `seed ${String(seed).padEnd(4)}  train ${wall.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU   ` +
      `raw fit alone ${median(raw.map((m) => m.wallMs)).toFixed(0)} ms wall, ${median(raw.map((m) => m.cpuMs)).toFixed(0)} ms CPU   ` +
      `(median of ${ROUNDS}; goal ≤ ${GOAL_MS} ms wall)`,
  );
}
console.log(`load average after: ${load()}`);
