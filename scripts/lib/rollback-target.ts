// The decisions of `npm run rollback`, kept apart from the cluster calls: what a RiskModel
// serves, which snapshots of it are kept, which revision a rollback goes to, the patches that
// pin and unpin it, and the sentences the command prints. Everything here is pure.

import { previousRevision as previousServed } from '../../operator/delivery/plan.js';
import { MODEL_VERSION_ANNOTATION, REVISION_LABEL } from '../../operator/api/labels.js';
import { record, text } from './json-fields.js';

/** One entry of `status.history` (oldest first), as far as the rollback command reads it. */
export interface HistoryEntry {
  revision: number;
  modelVersion?: string;
  snapshot?: string;
  result?: string;
  message?: string;
  /** Started as a canary: it served the stable pods only if promotedAt is set. */
  canary?: boolean;
  promotedAt?: string;
}

/** A snapshot ConfigMap of the RiskModel that exists in the cluster. */
export interface KeptSnapshot {
  name: string;
  revision: number;
  modelVersion?: string;
}

/** What the rollback command knows about one RiskModel. */
export interface RollbackState {
  name: string;
  namespace: string;
  resourceVersion?: string;
  /** `status.revision`: the revision the stable pods serve; absent before the first snapshot rolled out. */
  serving?: number;
  /** `spec.model.revision`: the pinned revision, if any. */
  pinned?: number;
  history: HistoryEntry[];
  /** Sorted by revision. */
  kept: KeptSnapshot[];
  /** `spec.model.configMapRef.name`: what the RiskModel serves again once unpinned. */
  configMapName?: string;
}

const revisionOf = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
};

/**
 * Reads a RiskModel object and its snapshot ConfigMaps (as the API server returns them) into
 * a RollbackState. Tolerant: fields of the wrong type are treated as absent, history entries
 * without a valid revision are skipped, and so are ConfigMaps without a valid
 * `riskmodel.dev/revision` label or not controlled by this RiskModel (the operator ignores
 * those too). Never throws.
 */
export function readRollbackState(riskModel: unknown, snapshots: readonly unknown[]): RollbackState {
  const metadata = record(record(riskModel).metadata);
  const spec = record(record(riskModel).spec);
  const model = record(spec.model);
  const status = record(record(riskModel).status);
  const history = (Array.isArray(status.history) ? status.history : []).flatMap((raw): HistoryEntry[] => {
    const entry = record(raw);
    const revision = revisionOf(entry.revision);
    if (revision === undefined) return [];
    const canary = entry.canary === true ? { canary: true } : {};
    return [{ revision, modelVersion: text(entry.modelVersion), snapshot: text(entry.snapshot), result: text(entry.result), message: text(entry.message), ...canary, promotedAt: text(entry.promotedAt) }];
  });
  return {
    name: text(metadata.name) ?? '',
    namespace: text(metadata.namespace) ?? '',
    resourceVersion: text(metadata.resourceVersion),
    serving: revisionOf(status.revision),
    pinned: revisionOf(model.revision),
    history,
    kept: snapshots.flatMap((raw) => readSnapshot(raw, text(metadata.uid))).sort((a, b) => a.revision - b.revision),
    configMapName: text(record(model.configMapRef).name),
  };
}

function readSnapshot(raw: unknown, ownerUid: string | undefined): KeptSnapshot[] {
  const metadata = record(record(raw).metadata);
  const revision = revisionOf(record(metadata.labels)[REVISION_LABEL]);
  const name = text(metadata.name);
  const owners = Array.isArray(metadata.ownerReferences) ? metadata.ownerReferences.map(record) : [];
  const controlled = owners.some((o) => o.controller === true && o.uid === ownerUid);
  if (revision === undefined || name === undefined || !controlled) return [];
  return [{ name, revision, modelVersion: text(record(metadata.annotations)[MODEL_VERSION_ANNOTATION]) }];
}

/** A revision with the model version that goes with it, when known. */
export interface Revision {
  revision: number;
  modelVersion?: string;
}

export type Choice =
  | { ok: true; target: Revision; serving?: Revision; failedAnalysis?: string }
  | { ok: false; message: string };

/**
 * The revision to pin: `toRevision` when given and kept, else the previous one — the newest
 * history entry before the serving one whose revision differs from the serving revision,
 * that did serve (not a canary that failed its analysis) and whose snapshot is kept. A
 * failure carries one sentence naming the RiskModel, the argument and the kept revisions.
 */
export function chooseTarget(state: RollbackState, toRevision?: number): Choice {
  const serving = state.serving === undefined ? undefined : describe(state, state.serving);
  if (toRevision !== undefined) return chooseNamed(state, toRevision, serving);
  if (state.serving === undefined) {
    return { ok: false, message: `${ref(state)} serves no revision yet (status.revision is empty), so it has no previous revision; name a kept one with --to-revision N${keptClause(state)}` };
  }
  const previous = previousRevision(state, state.serving);
  if (previous === undefined) {
    const others = state.kept.some((k) => k.revision !== state.serving) ? '; name one of the others with --to-revision N' : '';
    return { ok: false, message: `${ref(state)} has no previous revision to roll back to: it serves revision ${state.serving} and no revision that served before it is still kept${keptClause(state)}${others}` };
  }
  return { ok: true, target: describe(state, previous), serving };
}

function chooseNamed(state: RollbackState, revision: number, serving: Revision | undefined): Choice {
  if (!state.kept.some((k) => k.revision === revision)) {
    const known = state.history.some((e) => e.revision === revision) ? ' (it is in status.history, but its snapshot was pruned)' : '';
    return { ok: false, message: `--to-revision ${revision}: ${ref(state)} does not keep revision ${revision}${known}${keptClause(state)}` };
  }
  const failed = [...state.history].reverse().find((e) => e.revision === revision && e.result === 'FailedAnalysis');
  const choice: Choice = { ok: true, target: describe(state, revision), serving };
  return failed === undefined ? choice : { ...choice, failedAnalysis: failed.message ?? 'no figures recorded' };
}

/** The operator's own rule (operator/delivery/plan.ts), limited to revisions whose snapshot is kept. */
function previousRevision(state: RollbackState, serving: number): number | undefined {
  return previousServed(state.history, serving, (e) => state.kept.some((k) => k.revision === e.revision))?.revision;
}

function describe(state: RollbackState, revision: number): Revision {
  const fromHistory = [...state.history].reverse().find((e) => e.revision === revision && e.modelVersion !== undefined)?.modelVersion;
  const fromSnapshot = state.kept.find((k) => k.revision === revision)?.modelVersion;
  const modelVersion = fromHistory ?? fromSnapshot;
  return modelVersion === undefined ? { revision } : { revision, modelVersion };
}

/** "2 (v1-1a2b3c4d)", or "2" when the model version is unknown. */
export function formatRevision(revision: Revision): string {
  return revision.modelVersion === undefined ? String(revision.revision) : `${revision.revision} (${revision.modelVersion})`;
}

function keptClause(state: RollbackState): string {
  if (state.kept.length === 0) return '; no snapshot of it is kept';
  const kept = state.kept.map((k) => {
    const label = formatRevision(describe(state, k.revision));
    return k.revision === state.serving ? `${label}, serving` : label;
  });
  return `; kept revisions: ${kept.join(', ')}`;
}

const ref = (state: RollbackState): string => `riskmodel/${state.name}`;

/** The JSON merge patch that pins `revision`; with a resourceVersion it fails (409) if the RiskModel changed since it was read. */
export function pinPatch(revision: number, resourceVersion?: string): object {
  const patch = { spec: { model: { revision } } };
  return resourceVersion === undefined ? patch : { metadata: { resourceVersion }, ...patch };
}

/** The JSON patch that unpins; its `test` makes it fail (422) if the pin changed since it was read. */
export function unpinPatch(pinned: number): object[] {
  return [
    { op: 'test', path: '/spec/model/revision', value: pinned },
    { op: 'remove', path: '/spec/model/revision' },
  ];
}

/** `npm run rollback -- NAME [-n NS]`, the way to run the command again for this RiskModel. */
export function commandFor(state: RollbackState, extra: string): string {
  return `npm run rollback -- ${state.name} -n ${state.namespace} ${extra}`;
}

/** What the command prints after pinning `choice.target`. */
export function pinnedMessage(state: RollbackState, choice: Extract<Choice, { ok: true }>): string {
  const was = choice.serving === undefined ? 'it served no revision yet' : `was serving ${formatRevision(choice.serving)}`;
  const lines = [
    `${ref(state)} pinned to revision ${formatRevision(choice.target)}; ${was}. Unpin with: ${commandFor(state, '--unpin')}`,
  ];
  if (choice.failedAnalysis !== undefined) lines.push(`note: revision ${choice.target.revision} failed its canary analysis before (${choice.failedAnalysis}); a pin skips the canary`);
  lines.push(`Follow it with: kubectl get riskmodel ${state.name} -n ${state.namespace} -w`);
  return lines.join('\n');
}

/** What the command prints when the RiskModel is already pinned to the chosen revision. */
export function alreadyPinnedMessage(state: RollbackState, target: Revision): string {
  return `${ref(state)} is already pinned to revision ${formatRevision(target)}; nothing changed. Unpin with: ${commandFor(state, '--unpin')}`;
}

/** What the command prints after unpinning. */
export function unpinnedMessage(state: RollbackState, pinned: number): string {
  const was = `${ref(state)} unpinned (was pinned to revision ${formatRevision(describe(state, pinned))})`;
  if (state.configMapName === undefined) return `${was}; it serves the model built into its image again.`;
  return `${was}; it follows ConfigMap ${state.configMapName} again: what that holds now rolls out once it validates.`;
}

/** What the command prints when --unpin finds no pin. */
export function notPinnedMessage(state: RollbackState): string {
  return `${ref(state)} is not pinned (spec.model.revision is not set); nothing changed.`;
}
