// Canary analyzers: one loop per running canary measures its pods on its own clock, outside
// any reconcile, and keeps the latest figures keyed by the canary's pod template — as the HPA
// reads metrics-server instead of measuring pods itself. The reconcile only reads the latest
// figures and judges them, so a slow pod proxy never holds a worker, and every figure comes
// from the pods' own counters (smoke predictions are not counted by the server), so a new
// leader's loops read exactly what the old leader's would have.

import type { Logger } from '../../logger.js';
import { messageOf } from '../../messages.js';
import type { CanaryFigures } from './figures.js';
import type { CanaryMeasurer } from './pod-analyzer.js';

/** One canary: the RiskModel it belongs to, its pod template and the selector of its pods. */
export interface CanaryRef {
  namespace: string;
  name: string;
  templateHash: string;
  selector: string;
}

export interface Measurement {
  figures: CanaryFigures;
  at: Date;
}

/** What a reconcile may do with the analyzers. */
export interface CanaryFigureSource {
  /**
   * Keeps a loop measuring `canary` — starting one, which measures at once, when none runs —
   * and returns its latest measurement; undefined before the first one ends. Idempotent, no I/O
   * on the caller's path.
   */
  observe(canary: CanaryRef): Measurement | undefined;
  /** Stops measuring the canaries of RiskModel `namespace/name`, but the one of template `keep`. */
  release(namespace: string, name: string, keep?: string): void;
}

export interface AnalyzerDeps {
  measurer: CanaryMeasurer;
  /** Pause between the end of one measurement and the start of the next. */
  intervalMs: number;
  now: () => Date;
  log: Logger;
  /** Called with the RiskModel's key after each measurement, so it is judged without waiting for its requeue. */
  onMeasured: (riskModelKey: string) => void;
}

interface Loop {
  ref: CanaryRef;
  latest?: Measurement;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  stopped: boolean;
}

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

export class CanaryAnalyzers implements CanaryFigureSource {
  private readonly loops = new Map<string, Loop>();

  constructor(private readonly deps: AnalyzerDeps) {}

  observe(canary: CanaryRef): Measurement | undefined {
    const id = `${keyOf(canary.namespace, canary.name)}/${canary.templateHash}`;
    const existing = this.loops.get(id);
    if (existing) return existing.latest;
    const loop: Loop = { ref: { ...canary }, stopped: false };
    this.loops.set(id, loop);
    this.tick(loop);
    return undefined;
  }

  release(namespace: string, name: string, keep?: string): void {
    for (const [id, loop] of this.loops) {
      const { ref } = loop;
      if (ref.namespace !== namespace || ref.name !== name || ref.templateHash === keep) continue;
      this.stop(loop);
      this.loops.delete(id);
    }
  }

  /** Canaries being measured now. */
  get size(): number {
    return this.loops.size;
  }

  /** Stops every loop (the leader stepped down) and waits for measurements in flight. */
  async stopAll(): Promise<void> {
    const loops = [...this.loops.values()];
    this.loops.clear();
    for (const loop of loops) this.stop(loop);
    await Promise.all(loops.flatMap((l) => (l.running ? [l.running] : [])));
  }

  private stop(loop: Loop): void {
    loop.stopped = true;
    clearTimeout(loop.timer);
  }

  private tick(loop: Loop): void {
    const { measurer, intervalMs, now, log, onMeasured } = this.deps;
    const { namespace, name, selector } = loop.ref;
    loop.running = measurer
      .measure(namespace, selector)
      .then((figures) => {
        if (loop.stopped) return;
        loop.latest = { figures, at: now() };
        onMeasured(keyOf(namespace, name));
      })
      .catch((err: unknown) => {
        log.warn('canary not measured; trying again', { namespace, name, error: messageOf(err) });
      })
      .finally(() => {
        if (!loop.stopped) loop.timer = setTimeout(() => this.tick(loop), intervalMs);
      });
  }
}
