import { expect } from 'chai';
import sinon from 'sinon';
import { Reflector, type ChangeType, type KubeObject } from './reflector.js';
import { Resources } from './resources.js';
import { memoryLogger } from '../testing/fakes.js';
import { FakeKube } from '../testing/fake-kube.js';

const obj = (name: string, rv: string): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv, managedFields: [{ manager: 'x' }] } });

describe('reflector (list and watch cache)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ shouldClearNativeTimers: true });
  });
  afterEach(() => clock.restore());

  function start(kube: FakeKube, idleMs = 60_000) {
    const events: [ChangeType, string][] = [];
    const restarts: string[] = [];
    const r = new Reflector<KubeObject>({
      kube,
      resource: Resources.deployments,
      idleMs,
      log: memoryLogger().log,
      onEvent: (type, o) => events.push([type, o.metadata?.name ?? '']),
      onRestart: (reason) => restarts.push(reason),
    });
    r.start();
    return { r, events, restarts };
  }

  it('lists, reports synced, then applies watch events from the list resourceVersion with bookmarks', async () => {
    const kube = new FakeKube();
    kube.seed(Resources.deployments, [obj('a', '5')]);
    const { r, events } = start(kube);
    await clock.tickAsync(0);
    expect(r.hasSynced()).to.be.true;
    expect(kube.watches[0]!.query).to.include({ resourceVersion: '10', allowWatchBookmarks: true });
    kube.watches[0]!.push('ADDED', obj('b', '11'));
    kube.watches[0]!.push('MODIFIED', obj('a', '12'));
    kube.watches[0]!.push('DELETED', obj('b', '13'));
    expect(events).to.deep.equal([['add', 'a'], ['add', 'b'], ['update', 'a'], ['delete', 'b']]);
    expect(r.get('ns', 'a')!.metadata!.resourceVersion).to.equal('12');
    await r.stop();
  });

  it('gives listed objects their apiVersion and kind, which list responses leave out', async () => {
    const kube = new FakeKube();
    kube.seed(Resources.deployments, [obj('a', '5')]);
    const { r } = start(kube);
    await clock.tickAsync(0);
    expect(r.get('ns', 'a')).to.include({ apiVersion: 'apps/v1', kind: 'Deployment' });
    expect(r.get('ns', 'a')!.metadata).not.to.have.property('managedFields');
    expect(r.get('ns', 'a')!.metadata).not.to.have.property('managedFields');
    await r.stop();
  });

  it('resumes from the last seen resourceVersion when the server ends a watch, without relisting', async () => {
    const kube = new FakeKube();
    const { r } = start(kube);
    await clock.tickAsync(0);
    kube.watches[0]!.push('BOOKMARK', { metadata: { resourceVersion: '42' } });
    kube.watches[0]!.end();
    await clock.tickAsync(0);
    expect(kube.watches[1]!.query.resourceVersion).to.equal('42');
    expect(kube.lists).to.equal(1);
    await r.stop();
  });

  it('restarts a failed watch after a backoff instead of stopping for good', async () => {
    const kube = new FakeKube();
    const { r, restarts } = start(kube);
    await clock.tickAsync(0);
    kube.watches[0]!.fail(new Error('ECONNRESET'));
    await clock.tickAsync(100);
    expect(kube.watches).to.have.length(1);
    await clock.tickAsync(1_000);
    expect(kube.watches).to.have.length(2);
    expect(restarts).to.deep.equal(['error']);
    await r.stop();
  });

  it('relists after 410 Gone, reporting objects deleted meanwhile', async () => {
    const kube = new FakeKube();
    kube.seed(Resources.deployments, [obj('a', '5'), obj('b', '6')]);
    const { r, events, restarts } = start(kube);
    await clock.tickAsync(0);
    kube.replaceSilently(Resources.deployments, [obj('a', '20')]);
    kube.listRv = '21';
    kube.watches[0]!.push('ERROR', { code: 410, message: 'too old resource version' });
    await clock.tickAsync(0);
    expect(kube.lists).to.equal(2);
    expect(events.slice(2)).to.deep.equal([['delete', 'b'], ['update', 'a']]);
    expect(restarts).to.deep.equal(['expired']);
    expect(kube.watches.at(-1)!.query.resourceVersion).to.equal('21');
    await r.stop();
  });

  it('restarts a watch that stays silent longer than the idle limit', async () => {
    const kube = new FakeKube();
    const { r, restarts } = start(kube, 20_000);
    await clock.tickAsync(0);
    await clock.tickAsync(19_000);
    expect(kube.watches[0]!.aborted).to.be.false;
    await clock.tickAsync(6_000);
    expect(kube.watches[0]!.aborted).to.be.true;
    expect(restarts).to.deep.equal(['idle']);
    expect(kube.watches).to.have.length(2);
    await r.stop();
  });

  it('asks the server to end watches before the idle limit, so a healthy watch never trips the watchdog', async () => {
    const kube = new FakeKube();
    const { r } = start(kube, 300_000);
    await clock.tickAsync(0);
    expect(kube.watches[0]!.query.timeoutSeconds).to.be.within(150, 225);
    await r.stop();
  });

  it('serves an object this process just wrote until the watch delivers that version or a newer one', async () => {
    const kube = new FakeKube();
    kube.seed(Resources.deployments, [obj('a', '5')]);
    const { r } = start(kube);
    await clock.tickAsync(0);
    r.assume(obj('a', '15'));
    expect(r.get('ns', 'a')!.metadata!.resourceVersion).to.equal('15');
    kube.watches[0]!.push('MODIFIED', obj('a', '14'));
    expect(r.get('ns', 'a')!.metadata!.resourceVersion).to.equal('15');
    kube.watches[0]!.push('MODIFIED', obj('a', '16'));
    expect(r.get('ns', 'a')!.metadata!.resourceVersion).to.equal('16');
    r.assume(obj('a', '30'));
    kube.watches[0]!.push('DELETED', obj('a', '31'));
    expect(r.get('ns', 'a')).to.be.undefined;
    await r.stop();
  });
});
