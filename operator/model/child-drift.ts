// Deciding whether a child needs a write. Server-side apply of an unchanged object is a no-op
// on the server but still a write request; an idle operator should send none. A child is
// written when it is missing, when its desired content changed (the spec-hash annotation
// differs — this also catches fields we stopped setting, which SSA then removes), or when a
// field we set was changed by someone else (drift: every desired field must be present in
// the observed object with an equal value; fields others add are ignored).

import { SPEC_HASH_ANNOTATION } from '../api/labels.js';

interface Annotated {
  metadata?: { annotations?: Record<string, string> };
}

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;
const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A resource quantity's numeric value ("500m" → 0.5, "1Gi" → 2^30), or undefined if not a quantity. */
export function quantityValue(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, number = '', suffix = ''] = match;
  if (/^[eE][+-]?\d+$/.test(suffix)) return Number(number + suffix);
  const factor = SUFFIX[suffix];
  return factor === undefined ? undefined : Number(number) * factor;
}

/** Equal values, treating quantities the server canonicalizes ("0.5" vs "500m", 1 vs "1") as equal. */
function scalarEqual(want: unknown, have: unknown): boolean {
  if (want === have) return true;
  const numeric = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' ? quantityValue(v) : undefined);
  const a = numeric(want);
  const b = numeric(have);
  return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.abs(a) * 1e-9;
}

/** True when every field of `want` is in `have` with an equal value. Arrays compare index by index and must have the same length. */
export function isSubset(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.length === have.length && want.every((w, i) => isSubset(w, have[i]));
  }
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
    const obj = have as Record<string, unknown>;
    return Object.entries(want as Record<string, unknown>).every(([k, v]) => v === undefined || isSubset(v, obj[k]));
  }
  return scalarEqual(want, have);
}

/** Why a child needs a write: it is missing, its desired content changed, or someone edited a field we own. */
export type Difference = 'missing' | 'changed' | 'drifted' | 'none';

/** Compares a desired child with the stored one. Pure. */
export function difference(desired: Annotated, observed: Annotated | undefined): Difference {
  if (!observed) return 'missing';
  const want = desired.metadata?.annotations?.[SPEC_HASH_ANNOTATION];
  if (want !== observed.metadata?.annotations?.[SPEC_HASH_ANNOTATION]) return 'changed';
  return isSubset(desired, observed) ? 'none' : 'drifted';
}
