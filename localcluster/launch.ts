// Starting the cluster's processes: detached, each with its log file, recorded in the state file
// before anything waits on them (so `down` can always find them), then waited for until healthy.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Log } from './build.js';
import { adminTls, type Context } from './context.js';
import { waitHealthy } from './health.js';
import { isAlive, spawnDetached } from './processes.js';
import { saveState, type ClusterState, type RunningProcess } from './state.js';
import { endpointOf } from './status.js';
import type { ProcessSpec } from './topology.js';

const START_TIMEOUT_MS = 120_000;

/**
 * Starts processes together, records their PIDs at once, and waits for each to answer its
 * health check. Throws naming the first that exits or stays unhealthy, with its log's last lines.
 */
export async function launch(ctx: Context, state: ClusterState, specs: ProcessSpec[], log: Log): Promise<void> {
  const tls = adminTls(ctx.layout);
  for (const s of specs) {
    const logFile = path.join(ctx.layout.logsDir, `${s.name}.log`);
    const pid = spawnDetached(s.binary, s.args, logFile);
    state.processes.push({ name: s.name, pid, binary: s.binary, health: s.health, log: logFile });
    log(`started ${s.name} (pid ${pid}) on ${endpointOf(s.health)}, log ${path.relative(ctx.config.repoRoot, logFile)}`);
  }
  await saveState(ctx.layout.stateFile, state);
  await Promise.all(
    specs.map(async (s) => {
      const p = state.processes.find((x) => x.name === s.name) as RunningProcess;
      try {
        await waitHealthy(s.name, s.health, tls, { timeoutMs: START_TIMEOUT_MS, stillRunning: () => isAlive(p.pid) });
      } catch (err) {
        throw new Error(`${(err as Error).message}; last lines of ${p.log}:\n${tail(p.log, 15)}`);
      }
      log(`${s.name} is healthy`);
    }),
  );
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
