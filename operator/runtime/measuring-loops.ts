// Measuring loops: one loop per measured pod template (a running canary's, the stable pods' input
// drift) reads its pods on its own clock, outside any reconcile, and keeps the latest figures —
// as the HPA reads metrics-server instead of measuring pods itself. The reconcile only reads the
// latest figures and judges them, so a slow pod proxy never holds a worker. Every figure comes
// from what the pods themselves count, so a new leader's loops read what the old leader's would
// have.

import type { Logger } from '../logger.js';
import { messageOf } from '../messages.js';

/** What is measured: the RiskModel it belongs to, the pod template and the selector of its pods. */
export interface LoopRef {
  namespace: string;
  name: string;
  templateHash: string;
  selector: string;
}

export interface Measurement<F> {
  figures: F;
  at: Date;
}

/** Measures the pods of one template; throws only when they cannot be listed. */
export interface Measurer<F> {
  measure(ref: LoopRef): Promise<F>;
}

/** What a reconcile may do with the loops. */
export interface FigureSource<F> {
  /**
   * Keeps a loop measuring `ref` — starting one, which measures at once, when none runs — and
   * returns its latest measurement; undefined before the first one ends. Idempotent, no I/O on
   * the caller's path.
   */
  observe(ref: LoopRef): Measurement<F> | undefined;
  /** Stops measuring the templates of RiskModel `namespace/name`, but the one of template `keep`. */
  release(namespace: string, name: string, keep?: string): void;
}

export interface LoopDeps<F> {
  measurer: Measurer<F>;
  /** Pause between the end of one measurement and the start of the next. */
  intervalMs: number;
  now: () => Date;
  log: Logger;
  /** Called with the RiskModel's key after a measurement that changed the figures, so it is judged without waiting for its requeue. */
  onMeasured: (riskModelKey: string) => void;
  /** Whether new figures differ from the previous ones enough to wake the RiskModel; default: always. */
  changed?: (before: F, after: F) => boolean;
}

interface Loop<F> {
  ref: LoopRef;
  latest?: Measurement<F>;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  stopped: boolean;
}

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

export class MeasuringLoops<F> implements FigureSource<F> {
  private readonly loops = new Map<string, Loop<F>>();

  constructor(private readonly deps: LoopDeps<F>) {}

  observe(ref: LoopRef): Measurement<F> | undefined {
    const id = `${keyOf(ref.namespace, ref.name)}/${ref.templateHash}`;
    const existing = this.loops.get(id);
    if (existing) return existing.latest;
    const loop: Loop<F> = { ref: { ...ref }, stopped: false };
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

  /** Templates being measured now. */
  get size(): number {
    return this.loops.size;
  }

  /**
   * Stops every loop (the leader stepped down, or the operator stops). Measurements in flight are
   * not awaited: their figures are dropped (the loop is stopped), and one that waits on pods that
   * do not answer would hold up a shutdown or a hand-over by its timeouts, batch after batch.
   */
  stopAll(): Promise<void> {
    const loops = [...this.loops.values()];
    this.loops.clear();
    for (const loop of loops) this.stop(loop);
    return Promise.resolve();
  }

  private stop(loop: Loop<F>): void {
    loop.stopped = true;
    clearTimeout(loop.timer);
  }

  private tick(loop: Loop<F>): void {
    const { measurer, intervalMs, now, log, onMeasured, changed = () => true } = this.deps;
    const { namespace, name } = loop.ref;
    loop.running = measurer
      .measure(loop.ref)
      .then((figures) => {
        if (loop.stopped) return;
        const before = loop.latest?.figures;
        loop.latest = { figures, at: now() };
        if (before === undefined || changed(before, figures)) onMeasured(keyOf(namespace, name));
      })
      .catch((err: unknown) => {
        log.warn('pods not measured; trying again', { namespace, name, error: messageOf(err) });
      })
      .finally(() => {
        if (!loop.stopped) loop.timer = setTimeout(() => this.tick(loop), intervalMs);
      });
  }
}
