// Every condition type and reason string the operator writes, in one place, so status,
// events, docs and tests agree on the spelling. Reasons are CamelCase per API conventions.

export const ConditionType = {
  Ready: 'Ready',
  Progressing: 'Progressing',
  Degraded: 'Degraded',
  /**
   * kstatus' abnormal-true pair (sigs.k8s.io/cli-utils pkg/kstatus, read by Flux, kpt, Helm's
   * --wait and Argo CD's health check in config/argocd): Reconciling=True while the operator
   * works towards the spec (a rollout, a canary), Stalled=True while a problem the user must fix
   * stops it (the same problem Degraded names).
   */
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
  /**
   * The inputs the pods score have drifted from the model's training data (PSI per feature over
   * the pods' windows). A warning about the world, not about the deployment: it never changes
   * Ready, Degraded or the kstatus pair.
   */
  InputDrift: 'InputDrift',
} as const;

export const Reason = {
  /** Ready=True: rollout complete and at least minReplicas pods ready. */
  Available: 'Available',
  /** Ready=False / Progressing=True: the Deployment is being created or rolled out. */
  RollingOut: 'RollingOut',
  /** Ready=False: the rollout finished but fewer than minReplicas pods are ready. */
  InsufficientReplicas: 'InsufficientReplicas',
  /** Ready=False: no Deployment exists (yet), e.g. before the first model resolves. */
  DeploymentMissing: 'DeploymentMissing',
  /** Progressing=False: the Deployment matches the spec and every pod runs the current template. */
  RolloutComplete: 'RolloutComplete',
  /** Progressing=False: a problem blocks the rollout (see Degraded). */
  Blocked: 'Blocked',
  /** Degraded=False. */
  AsExpected: 'AsExpected',
  /** Degraded=True: spec.model.configMapRef names a ConfigMap that does not exist. */
  ConfigMapNotFound: 'ConfigMapNotFound',
  /** Degraded=True: the ConfigMap exists but lacks the key. */
  ModelKeyNotFound: 'ModelKeyNotFound',
  /** Degraded=True: the artifact is not valid JSON or not a valid model. */
  InvalidModel: 'InvalidModel',
  /** Degraded=True: the Deployment exceeded its progress deadline (pods never became ready). */
  RolloutStuck: 'RolloutStuck',
  /** Degraded=True: the API server refused a child object (a value the CRD schema could not check). */
  InvalidChild: 'InvalidChild',
  /** Degraded=True: spec.model.revision names a revision whose snapshot is not kept. */
  RevisionNotFound: 'RevisionNotFound',
  /** Degraded=True: the snapshot the stable pods mount was deleted and its content is not in the ConfigMap. */
  SnapshotMissing: 'SnapshotMissing',
  /** Degraded=True: the canary of the newest revision failed its analysis (the message has the figures). */
  CanaryFailed: 'CanaryFailed',
  /** Ready=False / Progressing=True: a canary of a new revision is under analysis; the stable pods serve the previous one. */
  CanaryAnalysis: 'CanaryAnalysis',
  /** Degraded=True: a pod of the current template cannot pull its image (ErrImagePull, ImagePullBackOff, InvalidImageName, ErrImageNeverPull). */
  ImagePullFailed: 'ImagePullFailed',
  /** Degraded=True: a container of a current pod keeps exiting (CrashLoopBackOff); the message has its last exit code. */
  CrashLooping: 'CrashLooping',
  /** Degraded=True: a container of a current pod was killed for exceeding its memory limit. */
  OOMKilled: 'OOMKilled',
  /** Degraded=True: the kubelet cannot create a container of a current pod (CreateContainerConfigError, CreateContainerError). */
  ContainerConfigError: 'ContainerConfigError',
  /** Degraded=True: the scheduler finds no node for a current pod (PodScheduled=False, Unschedulable). */
  Unschedulable: 'Unschedulable',
  /** Reconciling=False: nothing left to do for the current spec. */
  Reconciled: 'Reconciled',
  /** Degraded=True: the HPA cannot read the request metrics the spec scales on (no custom metrics API serves them). */
  MetricsUnavailable: 'MetricsUnavailable',
  /** InputDrift=True: a feature's PSI is above spec.monitoring.drift.psiThreshold. */
  DriftDetected: 'DriftDetected',
  /** InputDrift=False: every feature's PSI is within the threshold. */
  NoDrift: 'NoDrift',
  /** InputDrift=Unknown: the pods' windows hold fewer than minRows rows. */
  TooFewRows: 'TooFewRows',
  /** InputDrift=Unknown: no pod reported drift (its model has no drift reference, or none answered). */
  DriftUnavailable: 'DriftUnavailable',
} as const;

/** The Degraded reasons that come from the pods themselves (operator/model/pod-health.ts): one event per reason, not per kubelet message. */
export const POD_REASONS: ReadonlySet<string> = new Set([Reason.ImagePullFailed, Reason.CrashLooping, Reason.OOMKilled, Reason.ContainerConfigError, Reason.Unschedulable]);

export type ReasonName = (typeof Reason)[keyof typeof Reason];

/** Event reasons (`kubectl describe riskmodel`). */
export const EventReason = {
  Created: 'Created',
  Updated: 'Updated',
  /** A child that no longer applies (a PodDisruptionBudget or NetworkPolicy the spec stopped asking for) was deleted. */
  Deleted: 'Deleted',
  BecameReady: 'Ready',
  SnapshotCreated: 'SnapshotCreated',
  SnapshotPruned: 'SnapshotPruned',
  /** The stable pods were set to serve a new revision. */
  RevisionServing: 'RevisionServing',
  /** spec.model.revision moved the stable pods back to an older revision. */
  RolledBack: 'RolledBack',
  CanaryStarted: 'CanaryStarted',
  CanaryPromoted: 'CanaryPromoted',
  NotReady: 'NotReady',
  ReconcileError: 'ReconcileError',
  /** InputDrift turned True (a Warning), and back to False. */
  InputDriftDetected: 'InputDriftDetected',
  InputDriftCleared: 'InputDriftCleared',
} as const;

/** Something wrong, as a reason constant and a message for a user. */
export interface Problem {
  reason: ReasonName;
  message: string;
}
