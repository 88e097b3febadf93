// Which kube-score findings the project accepts, and why: the one place a check is switched off
// or a warning is let through. Everything else kube-score grades CRITICAL or WARNING fails the
// manifest suite (test/manifests/kube-score.test.ts).

import type { RiskModel } from '../../operator/api/riskmodel.js';
import { canaryName } from '../../operator/model/desired.js';
import type { Finding } from './kube-score.js';

/** Where a rule applies: the children of a RiskModel, or the operator's install manifests. */
export type Subject = { riskModel: RiskModel } | { install: true };

interface Rule {
  check: string;
  reason: string;
  appliesTo: (subject: Subject) => boolean;
  /** Only findings on these objects (default: any object of the subject). */
  objects?: (subject: Subject) => (object: string) => boolean;
}

const always = (): boolean => true;
const riskModelWithout = (field: 'networkPolicy') => (s: Subject) => 'riskModel' in s && s.riskModel.spec[field] === undefined;

/** Checks not run at all. */
export const IGNORED_CHECKS: readonly Rule[] = [
  {
    check: 'container-image-pull-policy',
    reason:
      'kube-score wants Always; we default to IfNotPresent. Images are pinned by tag and a new model arrives through a ' +
      'ConfigMap, not a re-pushed tag, so Always only adds a registry round trip to every pod start and makes scaling up ' +
      'fail while the registry is unreachable. Users who re-push tags set spec.imagePullPolicy: Always.',
    appliesTo: always,
  },
  {
    check: 'pod-networkpolicy',
    reason:
      'spec.networkPolicy is off by default (docs/operator.md, "NetworkPolicy"): a policy denies every client not listed, ' +
      'and only the user knows the clients. Scored where the RiskModel sets it.',
    appliesTo: riskModelWithout('networkPolicy'),
  },
];

/** Warnings let through (never a CRITICAL one). */
export const ACCEPTED_WARNINGS: readonly Rule[] = [
  {
    check: 'deployment-has-host-podantiaffinity',
    reason:
      'The pods spread over nodes with a topology spread constraint (maxSkew 1 on kubernetes.io/hostname, graded by ' +
      'pod-topology-spread-constraints), which this check does not look at. A required anti-affinity would leave pods ' +
      'Pending once replicas outnumber nodes; a preferred one would only repeat the spread.',
    appliesTo: (s) => 'riskModel' in s,
  },
  {
    check: 'pod-networkpolicy',
    reason:
      'The NetworkPolicies restrict ingress only. Inference pods may run a custom image (spec.image) whose outbound ' +
      'needs the operator cannot know; the operator must reach the API server, whose address and port differ between ' +
      'clusters (and policies see the endpoint, not the kubernetes Service). Restrict egress per cluster.',
    appliesTo: always,
  },
  {
    check: 'deployment-replicas',
    reason:
      'The canary Deployment runs a new model revision on a minority of pods by design (spec.rollout.canary.weight of ' +
      'the stable pods, at least one) beside the stable Deployment, which keeps the replicas; it lives only for the ' +
      'analysis. Scored on the stable Deployment as on any other.',
    appliesTo: (s) => 'riskModel' in s && s.riskModel.spec.rollout?.strategy === 'Canary',
    objects: (s) => (object) => 'riskModel' in s && object.endsWith(`/${canaryName(s.riskModel.metadata.name)}`),
  },
];

/** The ids of the checks to switch off for `subject`. */
export function ignoredChecks(subject: Subject): string[] {
  return IGNORED_CHECKS.filter((r) => r.appliesTo(subject)).map((r) => r.check);
}

/** The findings the policy does not accept: every CRITICAL one, and warnings not listed for `subject`. Pure. */
export function unacceptable(findings: readonly Finding[], subject: Subject): Finding[] {
  const accepted = ACCEPTED_WARNINGS.filter((r) => r.appliesTo(subject));
  const isAccepted = (f: Finding) => accepted.some((r) => r.check === f.check && (r.objects?.(subject)(f.object) ?? true));
  return findings.filter((f) => f.grade === 'CRITICAL' || !isAccepted(f));
}
