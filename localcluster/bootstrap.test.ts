import { expect } from 'chai';
import { KWOK_PLACEMENT_ANNOTATIONS, KWOK_TAINT, nodeManifest } from './bootstrap.js';

describe('kwok node placement', () => {
  it('taints kwok nodes only when a real node takes the default pods', () => {
    expect((nodeManifest(0, { taint: true }).spec as { taints?: unknown[] }).taints).to.deep.equal([KWOK_TAINT]);
    expect((nodeManifest(0).spec as { taints?: unknown[] }).taints).to.be.undefined;
  });

  it('opts a namespace into kwok with a node selector matching kwok nodes and a toleration of their taint', () => {
    const labels = nodeManifest(1).metadata as { labels: Record<string, string> };
    const [key, value] = (KWOK_PLACEMENT_ANNOTATIONS['scheduler.alpha.kubernetes.io/node-selector'] ?? '').split('=');
    expect(labels.labels[key ?? '']).to.equal(value);
    const tolerations = JSON.parse(KWOK_PLACEMENT_ANNOTATIONS['scheduler.alpha.kubernetes.io/defaultTolerations'] ?? '[]') as Record<string, string>[];
    expect(tolerations).to.deep.equal([{ key: KWOK_TAINT.key, operator: 'Equal', value: KWOK_TAINT.value, effect: KWOK_TAINT.effect }]);
  });
});
