import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_PATIENTS } from '../../inference/generator.js';
import { waitFor } from './kube.js';
import { block, info, ok, step } from './narrate.js';
import { startBackground } from './processes.js';
import type { Background } from './processes.js';


export interface Prediction {
  risk: string;
  confidence: number;
  probabilities: Record<string, number>;
  modelVersion: string;
}

/** Reads the port the server logged when it started listening (PORT=0 picks a free one). */
function listeningPort(logText: string): number | undefined {
  for (const line of logText.split('\n')) {
    try {
      const entry = JSON.parse(line) as { port?: unknown };
      if (typeof entry.port === 'number' && entry.port > 0) return entry.port;
    } catch {
      // Not a JSON line.
    }
  }
  return undefined;
}

/** POST /predict of one patient at `url`; throws unless the answer is 200. */
export async function predict(url: string, vitals: object): Promise<Prediction> {
  const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(vitals) });
  if (res.status !== 200) throw new Error(`POST /predict answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Prediction;
}

/**
 * Step 8: the inference server from the image's entrypoint module, run locally with the
 * demo's latest model, answering one healthy and one critical patient.
 */
export async function serveLocally(
  workDir: string,
  modelPath: string,
  port: number,
  report: (name: string, details: Record<string, unknown>) => void,
): Promise<{ server: Background; url: string }> {
  step(8, 'Serving predictions locally',
    'Real: the same inference server the image runs (inference/main.ts), with the model just rolled out; it listens on 127.0.0.1 only.');
  const log = join(workDir, 'inference.log');
  const server = await startBackground('inference server', process.execPath, ['--import', 'tsx', 'inference/main.ts'], {
    log,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MODEL_PATH: modelPath, LOG_LEVEL: 'info' },
  });
  const actualPort = await waitFor(() => Promise.resolve(listeningPort(readFileSync(log, 'utf8'))), {
    what: 'the inference server to listen', timeoutMs: 30_000, intervalMs: 250,
  });
  const url = `http://127.0.0.1:${actualPort}`;
  await waitFor(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), {
    what: 'the inference server to be ready', timeoutMs: 30_000, intervalMs: 250,
  });
  const results: Record<string, Prediction> = {};
  for (const [name, vitals] of Object.entries(EXAMPLE_PATIENTS)) {
    const p = await predict(url, vitals);
    results[name] = p;
    info(`$ curl -s ${url}/predict -H 'content-type: application/json' -d '${JSON.stringify(vitals)}'`);
    block(`${name} patient → risk ${p.risk}, confidence ${(p.confidence * 100).toFixed(1)}% (model ${p.modelVersion})`);
  }
  ok(`web page: ${url}/  (form, load-test panel and live status)`);
  report('predictions', { url, healthy: results.healthy?.risk, critical: results.critical?.risk });
  return { server, url };
}
