import { expect } from 'chai';
import { render, renderCompact } from './riskmodel-render.js';
import { recordSnapshot, toView, type History, type RiskModelView, type Snapshot } from './riskmodel-view.js';

const takenAt = new Date('2026-11-27T07:41:02Z');

const sepsis = toView({
  metadata: { name: 'sepsis', namespace: 'ward-3', generation: 4 },
  spec: { model: { version: 'v2' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
  status: {
    observedGeneration: 4, replicas: 4, readyReplicas: 3, desiredReplicas: 5,
    currentCPUUtilizationPercentage: 93, modelVersion: 'v2-3f2a9c1',
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Available', message: '3 replicas ready' },
      { type: 'Progressing', status: 'True', reason: 'RollingOut', message: 'scaling' },
      { type: 'Degraded', status: 'False', reason: 'AsExpected' },
    ],
  },
});

const triage = toView({
  metadata: { name: 'triage', namespace: 'ward-3', generation: 2 },
  spec: { model: { version: 'v1' }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 60 },
  status: {
    observedGeneration: 1, replicas: 1, readyReplicas: 0,
    conditions: [
      { type: 'Ready', status: 'False', reason: 'RollingOut', message: 'waiting for pods' },
      { type: 'Degraded', status: 'True', reason: 'ConfigMapNotFound', message: 'ConfigMap ward-3/triage-model not found' },
    ],
  },
});

function snapshot(models: RiskModelView[], error?: string): Snapshot {
  return { scope: { allNamespaces: false, namespace: 'ward-3' }, takenAt, models, ...(error === undefined ? {} : { error }) };
}

// sepsis scales 2 → 4 while desired leads it by one and CPU climbs; triage never reports desired or CPU.
function scaleUpHistory(): History {
  let history: History = new Map();
  for (const replicas of [2, 2, 3, 4, 4]) {
    const scaling = { ...sepsis, replicas, desiredReplicas: Math.min(5, replicas + 1), currentCPU: replicas * 25 };
    history = recordSnapshot(history, snapshot([scaling, triage]), 60);
  }
  return history;
}

describe('render', () => {
  it('draws the table, the conditions and charts of replicas, desired replicas and CPU over time', () => {
    expect(render(snapshot([sepsis, triage]), scaleUpHistory(), 80).split('\n')).to.deep.equal([
      'RiskModels · namespace ward-3 · 2 RiskModels · 07:41:02 UTC',
      '',
      'NAME    MIN  MAX  REPLICAS  READY  DESIRED  SCALING     MODEL',
      'sepsis    2    5         4      3        5  CPU 93/70%  v2-3f2a9c1',
      '  Ready=True (Available)   Progressing=True (RollingOut)',
      '  Degraded=False (AsExpected)',
      '  replicas ▄▄▅▇▇ 4 of max 5',
      '  desired  ▅▅▇██ 5',
      '  cpu      ▅▅▆██ 93%/70%',
      '',
      'triage    1    3         1      0        -  -           v1',
      '  Ready=False (RollingOut)   Progressing=?   Degraded=True (ConfigMapNotFound)',
      '  Degraded: ConfigMap ward-3/triage-model not found',
      '  status is for generation 1, spec is at 2: the operator has not caught up',
      '  replicas ▃▃▃▃▃ 1 of max 3',
      '  desired        -',
      '  cpu            -/60%',
      '',
    ]);
  });

  it('shows only the newest samples that fit the width', () => {
    let history: History = new Map();
    for (let i = 0; i < 100; i++) history = recordSnapshot(history, snapshot([{ ...sepsis, replicas: i < 50 ? 1 : 5 }]), 100);
    const replicasLine = render(snapshot([sepsis]), history, 60).split('\n').find((line) => line.startsWith('  replicas'));
    expect(replicasLine).to.equal(`  replicas ${'█'.repeat(60 - 25)} 4 of max 5`);
  });

  it('keeps every line within the width, cutting table lines with an ellipsis', () => {
    const lines = render(snapshot([sepsis, triage]), scaleUpHistory(), 40).split('\n');
    for (const line of lines) expect([...line].length, line).to.be.at.most(40);
    expect(lines[2]).to.equal('NAME    MIN  MAX  REPLICAS  READY  DESI…');
  });

  it('wraps an error and a condition message rather than cutting them off', () => {
    const error = 'cannot reach the cluster at https://127.0.0.1:6443 (ECONNREFUSED): is it running?';
    const lines = render(snapshot([triage], error), new Map(), 40).split('\n');
    expect(lines.slice(1, 5)).to.deep.equal([
      '! cannot reach the cluster at',
      '  https://127.0.0.1:6443 (ECONNREFUSED):',
      '  is it running?',
      '  (last known state shown; retrying)',
    ]);
    expect(lines).to.include.members(['  Degraded: ConfigMap', '    ward-3/triage-model not found']);
  });

  it('does not claim a count of RiskModels before it has listed any', () => {
    expect(render(snapshot([], 'cannot reach the cluster'), new Map(), 80).split('\n')).to.deep.equal([
      'RiskModels · namespace ward-3 · 07:41:02 UTC',
      '! cannot reach the cluster',
      '  (retrying)',
      '',
      'No RiskModels seen yet.',
    ]);
  });

  it('keeps showing the last known RiskModels under the error while the cluster is unreachable', () => {
    const lines = render(snapshot([sepsis], 'cannot reach the cluster'), new Map(), 80).split('\n');
    expect(lines.slice(1, 3)).to.deep.equal(['! cannot reach the cluster', '  (last known state shown; retrying)']);
    expect(lines).to.include('sepsis    2    5         4      3        5  CPU 93/70%  v2-3f2a9c1');
  });

  it('says so when the namespace has no RiskModels', () => {
    expect(render(snapshot([]), new Map(), 80)).to.equal('RiskModels · namespace ward-3 · 0 RiskModels · 07:41:02 UTC\n\nNo RiskModels in namespace ward-3.');
  });

  it('prefixes names with their namespace when all namespaces are shown', () => {
    const other = { ...triage, namespace: 'icu' };
    const lines = render({ ...snapshot([sepsis, other]), scope: { allNamespaces: true } }, new Map(), 100).split('\n');
    expect(lines[3]).to.match(/^ward-3\/sepsis /);
    expect(lines.some((line) => line.startsWith('icu/triage '))).to.be.true;
  });

  it('says when the operator has not written any status yet', () => {
    const fresh = toView({ metadata: { name: 'new', namespace: 'ward-3', generation: 1 }, spec: { model: { version: 'v1' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 } });
    expect(render(snapshot([fresh]), new Map(), 100).split('\n').slice(3)).to.deep.equal([
      'new     2    5         -      -        -  -        v1',
      '  no status yet: the operator has not reconciled this RiskModel (is it running?)',
      '',
    ]);
  });

  it('switches to one line per RiskModel when the detailed view would not fit the rows', () => {
    expect(render(snapshot([sepsis, triage]), scaleUpHistory(), 120, 10).split('\n')).to.deep.equal([
      'RiskModels · namespace ward-3 · 2 RiskModels · 07:41:02 UTC',
      '',
      'NAME    MIN  MAX  REPLICAS  READY  DESIRED  SCALING     MODEL       STATUS                      HISTORY',
      'sepsis    2    5         4      3        5  CPU 93/70%  v2-3f2a9c1  Ready                          ▄▄▅▇▇',
      'triage    1    3         1      0        -  -           v1          Degraded/ConfigMapNotFound     ▃▃▃▃▃',
    ]);
    expect(render(snapshot([sepsis, triage]), scaleUpHistory(), 96, 10).split('\n')[3])
      .to.equal('sepsis    2    5         4      3        5  CPU 93/70%  v2-3f2a9c1  Ready', 'no room for a chart');
  });

  it('keeps the detailed view when it fits the rows', () => {
    expect(render(snapshot([sepsis, triage]), scaleUpHistory(), 80, 18)).to.equal(render(snapshot([sepsis, triage]), scaleUpHistory(), 80));
  });

  it('leaves the charts out when the terminal is too narrow for them', () => {
    expect(render(snapshot([sepsis]), scaleUpHistory(), 30)).not.to.include('replicas ▄');
  });
});

describe('renderCompact', () => {
  it('prints one line per RiskModel with every number, condition and the model version', () => {
    expect(renderCompact(snapshot([sepsis, triage]))).to.deep.equal([
      '2026-11-27T07:41:02Z ward-3/sepsis min=2 max=5 replicas=4 ready=3 desired=5 cpu=93%/70% '
        + 'Ready=True(Available) Progressing=True(RollingOut) Degraded=False(AsExpected) model=v2-3f2a9c1',
      '2026-11-27T07:41:02Z ward-3/triage min=1 max=3 replicas=1 ready=0 desired=- cpu=-/60% '
        + 'Ready=False(RollingOut) Progressing=? Degraded=True(ConfigMapNotFound) model=v1 stale '
        + 'degraded="ConfigMap ward-3/triage-model not found"',
    ]);
  });

  it('shows what the autoscaler scales on, each metric with its reading and target, when the spec lists metrics', () => {
    const busy = { ...sepsis, scaling: 'RequestsPerSecond 41.2/50 req/s' };
    expect(renderCompact(snapshot([busy]))[0]).to.contain(' cpu=93%/70% scaling="RequestsPerSecond 41.2/50 req/s" ');
    expect(render(snapshot([busy]), new Map(), 120)).to.contain('RequestsPerSecond 41.2/50 req/s');
  });

  it('prints the error instead when the list failed', () => {
    expect(renderCompact(snapshot([sepsis], 'cannot reach the cluster'))).to.deep.equal(['2026-11-27T07:41:02Z error: cannot reach the cluster']);
  });

  it('says so when there is nothing to show', () => {
    expect(renderCompact(snapshot([]))).to.deep.equal(['2026-11-27T07:41:02Z no RiskModels in namespace ward-3']);
  });
});
