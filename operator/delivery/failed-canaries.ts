// The record of canaries that failed their analysis, kept in an annotation on the RiskModel
// (FAILED_CANARIES_ANNOTATION) rather than in status.history: the history is trimmed to
// HISTORY_LIMIT entries and status may be lost, so a failure recorded only there could fall out
// and the same canary run again. A canary is the pair (model content, canary pod template): the
// same content with a changed pod spec is a new canary and is tried. Pure.

import type { RiskModel } from '../api/riskmodel.js';
import { FAILED_CANARIES_ANNOTATION } from '../api/labels.js';

export interface FailedCanary {
  contentHash: string;
  templateHash: string;
  revision: number;
  /** Why it failed, as status and the event said (cut to MESSAGE_LIMIT characters). */
  message: string;
  /** When it failed (RFC 3339). */
  at: string;
}

/** Failures kept, newest last: a failure is forgotten only after this many later failed canaries. */
export const FAILED_CANARIES_KEPT = 32;
const MESSAGE_LIMIT = 300;

const isEntry = (e: unknown): e is FailedCanary => {
  const f = e as Partial<FailedCanary> | null;
  return typeof f === 'object' && f !== null && typeof f.contentHash === 'string' && typeof f.templateHash === 'string' && typeof f.message === 'string' && Number.isInteger(f.revision) && typeof f.at === 'string';
};

/** The failures recorded on `rm`; an annotation edited into something else reads as none (and is rewritten on the next failure). */
export function failedCanariesOf(rm: RiskModel): FailedCanary[] {
  const text = rm.metadata.annotations?.[FAILED_CANARIES_ANNOTATION];
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
  } catch {
    return [];
  }
}

/** The recorded failure of this content with this canary pod template, if any. */
export function failedCanaryOf(rm: RiskModel, contentHash: string, templateHash: string): FailedCanary | undefined {
  return failedCanariesOf(rm).findLast((f) => f.contentHash === contentHash && f.templateHash === templateHash);
}

/** The annotation value with `failure` added (replacing an older record of the same canary), at most FAILED_CANARIES_KEPT entries. */
export function withFailedCanary(rm: RiskModel, failure: FailedCanary): string {
  const entry = { ...failure, message: failure.message.slice(0, MESSAGE_LIMIT) };
  const others = failedCanariesOf(rm).filter((f) => f.contentHash !== entry.contentHash || f.templateHash !== entry.templateHash);
  return JSON.stringify([...others, entry].slice(-FAILED_CANARIES_KEPT));
}
