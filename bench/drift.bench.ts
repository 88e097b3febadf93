// `npm run bench:drift`: what input drift tracking costs. First in-process: ns per row of
// DriftMonitor.observe (bin search of five features, ring and count updates) beside ns per row
// of the compiled model's scoring, same rows, same run. Then over HTTP: rows/s and server CPU
// per row of POST /predict/batch (1,000 generated ward patients a request) on two servers in
// their own processes, one tracking drift (DRIFT_WINDOW_ROWS default) and one not
// (DRIFT_WINDOW_ROWS=0), in alternating back-to-back rounds; the ratio of each round's pair.

import { loadavg } from 'node:os';
import { compileModel } from '../inference/compiled-model.js';
import { defaultModel } from '../inference/default-model.js';
import { DEFAULT_DRIFT_WINDOW_ROWS, DriftMonitor } from '../inference/drift/monitor.js';
import { generatePatients } from '../inference/generator.js';
import { drive, fmt, medianOf, startInference, type Figures } from './http-bench.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH_ROWS = 1000;
const BATCH_CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 2);
const MICRO_ROWS = 200_000;

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** ns per row of `work` over `rows`, median of five passes after a warm-up pass. */
function nsPerRow(rows: number, work: () => void): number {
  work();
  const passes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = process.hrtime.bigint();
    work();
    passes.push(Number(process.hrtime.bigint() - started) / rows);
  }
  return medianOf(passes);
}

function micro(): void {
  const model = defaultModel();
  const patients = generatePatients({ samples: MICRO_ROWS, seed: 7, labelNoise: 0 }).map((p) => p.vitals);
  const compiled = compileModel(model);
  const classes = new Uint8Array(patients.length);
  const scoring = nsPerRow(patients.length, () => {
    for (let i = 0; i < patients.length; i++) classes[i] = compiled.score(patients[i]!).best;
  });
  const monitor = new DriftMonitor(model, DEFAULT_DRIFT_WINDOW_ROWS);
  const drift = nsPerRow(patients.length, () => {
    for (let i = 0; i < patients.length; i++) monitor.observe(patients[i]!, classes[i]!);
  });
  console.log(`in-process, ${MICRO_ROWS.toLocaleString('en')} generated patients, window ${DEFAULT_DRIFT_WINDOW_ROWS}: drift observe ${drift.toFixed(0)} ns/row; compiled scoring ${scoring.toFixed(0)} ns/row (drift = ${((drift / scoring) * 100).toFixed(0)} % of scoring; goal: a few µs a row at most)`);
}

async function http(): Promise<void> {
  const tracking = await startInference();
  const off = await startInference({ DRIFT_WINDOW_ROWS: '0' });
  try {
    const instances = generatePatients({ samples: BATCH_ROWS, seed: 11, labelNoise: 0 }).map((p) => p.vitals);
    const batch = JSON.stringify({ instances });
    const servers: Array<[string, typeof tracking]> = [['drift tracking on ', tracking], ['drift tracking off', off]];
    for (const [, server] of servers) await drive(server, '/predict/batch', batch, { seconds: 2, connections: BATCH_CONNECTIONS });
    const runs = new Map<string, Figures[]>(servers.map(([label]) => [label, []]));
    console.log(`\nPOST /predict/batch, ${BATCH_ROWS} rows a request, ${BATCH_CONNECTIONS} connections, ${DURATION_S} s a run, alternating rounds:`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [label, server] of servers) {
        const f = await drive(server, '/predict/batch', batch, { seconds: DURATION_S, connections: BATCH_CONNECTIONS });
        runs.get(label)?.push(f);
        console.log(`round ${round} ${label} ${fmt(f)}   ${(f.rps * BATCH_ROWS).toFixed(0)} rows/s   ${(f.cpuMicros / BATCH_ROWS).toFixed(3)} µs CPU/row`);
      }
    }
    const [on, without] = [...runs.values()] as [Figures[], Figures[]];
    const ratios = on.map((f, i) => f.rps / (without[i]?.rps ?? NaN));
    const cpuDelta = on.map((f, i) => (f.cpuMicros - (without[i]?.cpuMicros ?? NaN)) / BATCH_ROWS);
    console.log(`rows/s with ÷ without drift tracking: ${medianOf(ratios).toFixed(3)}× (median; rounds ${ratios.map((r) => r.toFixed(3)).join(', ')})`);
    console.log(`server CPU per row, with − without: ${medianOf(cpuDelta).toFixed(3)} µs (median; rounds ${cpuDelta.map((d) => d.toFixed(3)).join(', ')})`);
    const drift = (await (await fetch(`${tracking.url}/drift`)).json()) as { window: { rows: number }; features: Array<{ name: string; psi: number }> };
    console.log(`the tracking server's window after the run: ${drift.window.rows} rows; PSI ${drift.features.map((f) => `${f.name} ${f.psi.toFixed(3)}`).join(', ')}`);
  } finally {
    tracking.child.kill('SIGTERM');
    off.child.kill('SIGTERM');
  }
}

console.log(`load average before: ${load()}`);
micro();
await http();
console.log(`\nload average after: ${load()}`);
