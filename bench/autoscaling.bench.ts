// `npm run bench:autoscaling`: CPU against requests a second as what the HPA scales on, measured in
// one run on the local cluster's real node (real pods, real Service traffic, the real HPA,
// metrics-server for CPU, Prometheus and prometheus-adapter for requests a second). One RiskModel
// after the other, never both at once (the machine has two cores): the same replicas, scale-down
// window and load, sent by the project's load engine (autocannon, scripts/demo/load.ts) to the
// Service's ClusterIP. Prints one row a RiskModel and the RequestsPerSecond ÷ CPU ratio of each
// time; `--json FILE` also writes them. Figures, not a test: a CPU run that never reaches
// maxReplicas at the rate is a finding. Everything runs in its own namespace, deleted at the end
// and on Ctrl-C; a cluster this run started is stopped again.
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { commandOptions } from '../scripts/lib/args.js';
import { closeRealNodeBed, openRealNodeBed, putModel, type RealNodeBed } from '../test/dataplane/bed.js';
import { trainedArtifact } from '../test/operator/harness/fixtures.js';
import { ensureCluster, releaseCluster } from '../test/support/cluster.js';
import { notes, summarize, table, toJson, type Run } from './autoscaling/figures.js';
import { assertCustomMetricsServed, measure, MODEL_CONFIGMAP } from './autoscaling/measure.js';
import { HELP, MAX_REPLICAS, MIN_REPLICAS, parseOptions, type Options } from './autoscaling/options.js';

const log = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const machineLoad = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** Both runs, CPU first, on a bed the caller closes. */
async function runBoth(bed: RealNodeBed, options: Options): Promise<{ cpu: Run; rps: Run }> {
  await ensureCluster();
  await assertCustomMetricsServed();
  const node = await openRealNodeBed(bed, 'bench-hpa', log);
  if (!node.available) throw new Error(`bench:autoscaling needs the local cluster's real node: ${node.reason}`);
  await putModel(bed, MODEL_CONFIGMAP, await trainedArtifact(31));
  log(`namespace ${bed.namespace}; operator pid ${bed.operator.pid}; load ${machineLoad()}`);
  const cpu = await measure(bed, { name: 'cpu', scaler: 'CPU', target: options.cpuTarget }, options, log);
  const rps = await measure(bed, { name: 'rps', scaler: 'RequestsPerSecond', target: options.rpsTarget }, options, log);
  return { cpu, rps };
}

function print(runs: { cpu: Run; rps: Run }, options: Options, when: Date, loads: string): void {
  console.log(`\nAutoscaling benchmark — ${when.toISOString()} — ${options.rate} req/s to each, minReplicas ${MIN_REPLICAS}, maxReplicas ${MAX_REPLICAS}, scale-down window ${options.windowSeconds} s, held ${options.holdSeconds} s — load ${loads}`);
  const [rps, cpu] = [summarize(runs.rps), summarize(runs.cpu)];
  for (const line of [...table(rps, cpu, options), '', ...notes(rps, cpu, options)]) console.log(line);
  for (const run of [runs.cpu, runs.rps]) if (run.lost > 0) console.log(`${run.scaler} lost by code: ${JSON.stringify(run.byCode)}`);
}

async function main(): Promise<number> {
  const parsed = commandOptions('bench:autoscaling', () => parseOptions(process.argv.slice(2)), HELP);
  if ('exitCode' in parsed) return parsed.exitCode;
  const options = parsed;
  const bed = {} as RealNodeBed;
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> => (cleaning ??= closeRealNodeBed(bed).finally(() => releaseCluster()));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: deleting what the benchmark created`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  const loadBefore = machineLoad();
  try {
    const runs = await runBoth(bed, options);
    const when = new Date();
    print(runs, options, when, `${loadBefore} before, ${machineLoad()} after (1/5/15 min)`);
    if (options.json) await writeFile(options.json, toJson(runs, options, when));
    return 0;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(`bench:autoscaling: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  },
)
  // A watch or load still open after a failure must not keep the process alive.
  .finally(() => setTimeout(() => process.exit(), 1000).unref());
