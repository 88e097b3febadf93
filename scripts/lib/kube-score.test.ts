import { expect } from 'chai';
import { riskModel } from '../../operator/testing/fixtures.js';
import { findingsOf, kubeScorePath, type Finding } from './kube-score.js';
import { ACCEPTED_WARNINGS, IGNORED_CHECKS, ignoredChecks, unacceptable } from './kube-score-policy.js';

const object = (checks: { id: string; grade: number; skipped?: boolean; comments?: { summary: string; path?: string }[] }[]) => ({
  object_name: 'Deployment/apps/v1/default/demo',
  type_meta: { kind: 'Deployment' },
  checks: checks.map((c) => ({ check: { id: c.id }, grade: c.grade, skipped: c.skipped ?? false, comments: c.comments ?? null })),
});

const finding = (check: string, grade: Finding['grade']): Finding => ({ object: 'Deployment/apps/v1/default/demo', check, grade, comments: [] });

describe('kube-score results', () => {
  it('keeps critical and warning grades, with each comment\'s path, and drops passed and skipped checks', () => {
    const report = [
      object([
        { id: 'container-resources', grade: 10 },
        { id: 'pod-networkpolicy', grade: 1, comments: [{ summary: 'The pod does not have a matching NetworkPolicy' }] },
        { id: 'pod-probes', grade: 5, comments: [{ path: 'inference', summary: 'probe is odd' }] },
        { id: 'deployment-has-poddisruptionbudget', grade: 1, skipped: true },
        { id: 'label-values', grade: 7 },
      ]),
    ];
    expect(findingsOf(report)).to.deep.equal([
      { object: 'Deployment/apps/v1/default/demo', check: 'pod-networkpolicy', grade: 'CRITICAL', comments: ['The pod does not have a matching NetworkPolicy'] },
      { object: 'Deployment/apps/v1/default/demo', check: 'pod-probes', grade: 'WARNING', comments: ['inference: probe is odd'] },
    ]);
  });

  it('keeps kube-score in a folder named after its pinned version', () => {
    expect(kubeScorePath('/cache')).to.equal('/cache/kube-score-v1.20.0/bin/kube-score');
  });
});

describe('kube-score policy', () => {
  it('gives a reason for every check it ignores or warning it accepts', () => {
    for (const rule of [...IGNORED_CHECKS, ...ACCEPTED_WARNINGS]) expect(rule.reason, rule.check).to.have.length.above(40);
  });

  it('scores the NetworkPolicy check only for RiskModels that set spec.networkPolicy, and for the install manifests', () => {
    expect(ignoredChecks({ riskModel: riskModel() })).to.include('pod-networkpolicy');
    expect(ignoredChecks({ riskModel: riskModel({ networkPolicy: { from: [{ podSelector: {} }] } }) })).not.to.include('pod-networkpolicy');
    expect(ignoredChecks({ install: true })).not.to.include('pod-networkpolicy');
  });

  it('never accepts a critical finding, even of a check whose warnings it accepts', () => {
    const findings = [finding('pod-networkpolicy', 'CRITICAL'), finding('pod-networkpolicy', 'WARNING'), finding('pod-probes', 'WARNING')];
    expect(unacceptable(findings, { install: true })).to.deep.equal([finding('pod-networkpolicy', 'CRITICAL'), finding('pod-probes', 'WARNING')]);
  });

  it('accepts the anti-affinity warning only on RiskModel children, which spread instead', () => {
    const findings = [finding('deployment-has-host-podantiaffinity', 'WARNING')];
    expect(unacceptable(findings, { riskModel: riskModel() })).to.deep.equal([]);
    expect(unacceptable(findings, { install: true })).to.deep.equal(findings);
  });
});
