import { expect } from 'chai';
import { riskModel } from '../../operator/testing/fixtures.js';
import { unacceptable } from './kube-score-policy.js';
import type { Finding } from './kube-score.js';

const finding = (object: string, check: string, grade: Finding['grade'] = 'WARNING'): Finding => ({ object, check, grade, comments: [] });

describe('kube-score policy', () => {
  const canary = { riskModel: riskModel({ rollout: { strategy: 'Canary' } }, 'triage') };

  it("lets the canary Deployment's few replicas through, and only the canary's", () => {
    const findings = [finding('Deployment/apps/v1/team-a/triage-canary', 'deployment-replicas'), finding('Deployment/apps/v1/team-a/triage', 'deployment-replicas')];
    expect(unacceptable(findings, canary).map((f) => f.object)).to.deep.equal(['Deployment/apps/v1/team-a/triage']);
  });

  it('accepts no canary waiver for a RiskModel without canary rollouts', () => {
    const findings = [finding('Deployment/apps/v1/team-a/triage-canary', 'deployment-replicas')];
    expect(unacceptable(findings, { riskModel: riskModel({}, 'triage') })).to.have.length(1);
  });

  it('never accepts a CRITICAL finding', () => {
    expect(unacceptable([finding('Deployment/apps/v1/team-a/triage-canary', 'deployment-replicas', 'CRITICAL')], canary)).to.have.length(1);
  });
});
