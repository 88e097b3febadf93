// Content hashing that ignores object key order, so equal objects always hash equal. The
// canonical form is the one model artifacts are versioned with (inference/model.ts).

import { createHash } from 'node:crypto';
import { canonicalJson } from '../../inference/model.js';

export { canonicalJson };

/** Hex SHA-256 of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** First 16 hex digits of the SHA-256 of the canonical JSON. Deterministic across processes. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}
