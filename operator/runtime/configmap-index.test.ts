import { expect } from 'chai';
import type { RiskModel } from '../api/riskmodel.js';
import { ConfigMapIndex, configMapKeyOf, type NamedChange } from './configmap-index.js';
import type { ChangeType } from '../kube/reflector.js';
import { riskModel } from '../testing/fixtures.js';

const reading = (configMap: string | undefined, name = 'demo'): RiskModel => riskModel({ model: { version: 'v1', ...(configMap ? { configMapRef: { name: configMap } } : {}) } }, name);

describe('ConfigMap → RiskModel index', () => {
  const keys: [string, ChangeType, RiskModel, string | undefined][] = [
    ['a RiskModel that reads a ConfigMap points at it in its own namespace', 'add', reading('weights'), 'team-a/weights'],
    ['an update keeps the reference', 'update', reading('weights'), 'team-a/weights'],
    ['a deleted RiskModel reads nothing', 'delete', reading('weights'), undefined],
    ['a RiskModel with an inline or default model reads nothing', 'add', reading(undefined), undefined],
  ];
  for (const [name, type, rm, expected] of keys) it(name, () => expect(configMapKeyOf(type, rm)).to.equal(expected));

  // Each case: the references set in order, then who is woken by which ConfigMap.
  const cases: [string, [string, string | undefined][], Record<string, string[]>][] = [
    ['wakes every RiskModel that reads the ConfigMap', [['team-a/a', 'team-a/cm'], ['team-a/b', 'team-a/cm']], { 'team-a/cm': ['team-a/a', 'team-a/b'] }],
    ['wakes only the new ConfigMap\'s readers after a RiskModel switches', [['team-a/a', 'team-a/old'], ['team-a/a', 'team-a/new']], { 'team-a/old': [], 'team-a/new': ['team-a/a'] }],
    ['forgets a RiskModel whose reference was removed', [['team-a/a', 'team-a/cm'], ['team-a/a', undefined]], { 'team-a/cm': [] }],
    ['lists a reader once however often its reference is set', [['team-a/a', 'team-a/cm'], ['team-a/a', 'team-a/cm']], { 'team-a/cm': ['team-a/a'] }],
    ['keeps namespaces apart', [['team-a/a', 'team-a/cm'], ['team-b/a', 'team-b/cm']], { 'team-a/cm': ['team-a/a'], 'team-b/cm': ['team-b/a'] }],
    ['wakes nobody for a ConfigMap no RiskModel reads', [], { 'team-a/cm': [] }],
  ];
  for (const [name, sets, expected] of cases) {
    it(name, () => {
      const index = new ConfigMapIndex();
      for (const [rm, cm] of sets) index.set(rm, cm);
      for (const [cm, readers] of Object.entries(expected)) expect(index.readersOf(cm), cm).to.deep.equal(readers);
    });
  }

  // Each case: the references set in order, and what the last one changed in the set of named ConfigMaps (what gets watched).
  const changes: [string, [string, string | undefined][], NamedChange][] = [
    ['the first reader names a ConfigMap', [['team-a/a', 'team-a/cm']], { named: 'team-a/cm' }],
    ['a second reader changes nothing', [['team-a/a', 'team-a/cm'], ['team-a/b', 'team-a/cm']], {}],
    ['the same reference again changes nothing', [['team-a/a', 'team-a/cm'], ['team-a/a', 'team-a/cm']], {}],
    ['a reader leaving while another stays changes nothing', [['team-a/a', 'team-a/cm'], ['team-a/b', 'team-a/cm'], ['team-a/a', undefined]], {}],
    ['the last reader leaving unnames it', [['team-a/a', 'team-a/cm'], ['team-a/a', undefined]], { unnamed: 'team-a/cm' }],
    ['a lone reader switching unnames the old one and names the new one', [['team-a/a', 'team-a/old'], ['team-a/a', 'team-a/new']], { unnamed: 'team-a/old', named: 'team-a/new' }],
    ['switching to a ConfigMap others read names nothing new', [['team-a/b', 'team-a/new'], ['team-a/a', 'team-a/old'], ['team-a/a', 'team-a/new']], { unnamed: 'team-a/old' }],
    ['removing a reference that never was changes nothing', [['team-a/a', undefined]], {}],
  ];
  for (const [name, sets, expected] of changes) {
    it(name, () => {
      const index = new ConfigMapIndex();
      let last: NamedChange = {};
      for (const [rm, cm] of sets) last = index.set(rm, cm);
      expect(last).to.deep.equal(expected);
    });
  }

  it('tells which ConfigMap a RiskModel reads', () => {
    const index = new ConfigMapIndex();
    index.set('team-a/a', 'team-a/cm');
    expect(index.configMapOf('team-a/a')).to.equal('team-a/cm');
    index.set('team-a/a', undefined);
    expect(index.configMapOf('team-a/a')).to.be.undefined;
  });

  it('leaves nothing behind once every reference is gone, so deleted RiskModels cost no memory', () => {
    const index = new ConfigMapIndex();
    for (let i = 0; i < 100; i++) index.set(`team-a/rm-${i}`, `team-a/cm-${i % 7}`);
    for (let i = 0; i < 100; i++) index.set(`team-a/rm-${i}`, undefined);
    expect(index.size).to.equal(0);
  });
});
