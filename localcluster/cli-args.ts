// Arguments of `npm run cluster:up -- [...]`.
import type { ClusterMode } from './topology.js';

/** Parses `up`'s arguments; throws naming the allowed ones on anything else. */
export function parseUpArgs(args: string[], defaultMode: ClusterMode): { mode: ClusterMode } {
  let mode = defaultMode;
  for (const arg of args) {
    if (arg === '--kwok-only') mode = 'kwok-only';
    else if (arg === '--real-node') mode = 'real-node';
    else throw new Error(`unknown option ${JSON.stringify(arg)} for cluster:up; allowed: --kwok-only (simulated nodes only), --real-node (the default)`);
  }
  return { mode };
}
