// The bookkeeping of the by-name ConfigMap watches, against stand-in reflectors (informers.test.ts
// runs the same against the in-memory API server).
import { expect } from 'chai';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { ConfigMapWatches, type WatchScope } from './configmap-watches.js';
import type { Handler, Reflector } from '../kube/reflector.js';

interface Stand {
  scope: WatchScope;
  stopped: boolean;
  synced: boolean;
  objects: V1ConfigMap[];
  onEvent: Handler<V1ConfigMap>;
  onSynced: () => void;
}

function watches(limit: number, watchNamespaces = false) {
  const made: Stand[] = [];
  const events: string[] = [];
  const listed: string[] = [];
  const w = new ConfigMapWatches({
    reflect: (scope, onEvent, onSynced) => {
      const stand: Stand = { scope, stopped: false, synced: false, objects: [], onEvent, onSynced };
      made.push(stand);
      return {
        stop: () => {
          stand.stopped = true;
          return Promise.resolve();
        },
        hasSynced: () => stand.synced,
        get: (namespace: string, name: string) => stand.objects.find((cm) => cm.metadata?.namespace === namespace && cm.metadata.name === name),
      } as unknown as Reflector<V1ConfigMap>;
    },
    scopeOf: (namespace) => (watchNamespaces ? namespace : undefined),
    limit,
    onEvent: (type, cm) => events.push(`${type} ${cm.metadata?.namespace}/${cm.metadata?.name}`),
    onSynced: (key) => listed.push(key),
  });
  return { w, made, events, listed };
}

const cm = (namespace: string, name: string): V1ConfigMap => ({ metadata: { namespace, name } });
const open = (made: Stand[]) => made.filter((s) => !s.stopped).map((s) => s.scope);

describe('ConfigMap watches by name', () => {
  it('starts one watch per name, once however often it is asked, with a metadata.name field selector in its namespace', () => {
    const { w, made } = watches(10);
    w.watch('team-a/weights');
    w.watch('team-a/weights');
    w.watch('team-b/weights');
    expect(open(made)).to.deep.equal([
      { namespace: 'team-a', fieldSelector: 'metadata.name=weights' },
      { namespace: 'team-b', fieldSelector: 'metadata.name=weights' },
    ]);
    expect(w.watchCount).to.equal(2);
  });

  it('answers "not listed" until the watch serving a name has listed, and for a name not watched', () => {
    const { w, made } = watches(10);
    expect(w.synced('team-a/weights')).to.equal(false);
    w.watch('team-a/weights');
    expect(w.synced('team-a/weights')).to.equal(false);
    made[0]!.synced = true;
    expect(w.synced('team-a/weights')).to.equal(true);
  });

  it('past the limit serves names from one unfiltered watch per namespace scope, which passes on and lists only its names', () => {
    const { w, made, events, listed } = watches(1, true);
    for (const key of ['team-a/first', 'team-a/second', 'team-a/third', 'team-b/fourth']) w.watch(key);
    expect(open(made)).to.deep.equal([{ namespace: 'team-a', fieldSelector: 'metadata.name=first' }, { namespace: 'team-a' }, { namespace: 'team-b' }]);
    const shared = made[1]!;
    shared.objects = [cm('team-a', 'second'), cm('team-a', 'helm-values')];
    shared.onEvent('add', cm('team-a', 'helm-values'), undefined);
    shared.onEvent('add', cm('team-a', 'second'), undefined);
    shared.onSynced();
    expect(events).to.deep.equal(['add team-a/second']);
    expect(listed).to.deep.equal(['team-a/second', 'team-a/third']);
    expect(w.get('team-a', 'second')).to.deep.equal(cm('team-a', 'second'));
    expect(w.get('team-a', 'helm-values')).to.be.undefined;
    expect(w.list('team-a')).to.deep.equal([cm('team-a', 'second')]);
  });

  it('shares one watch across all namespaces past the limit when it watches all namespaces', () => {
    const { w, made } = watches(0);
    w.watch('team-a/one');
    w.watch('team-b/two');
    expect(open(made)).to.deep.equal([{ namespace: undefined }]);
  });

  it('stops a by-name watch when its name is dropped, and the shared watch when its last name is', () => {
    const { w, made } = watches(1);
    w.watch('team-a/first');
    w.watch('team-a/second');
    w.watch('team-b/third');
    w.unwatch('team-a/second');
    expect(open(made)).to.have.length(2);
    w.unwatch('team-b/third');
    w.unwatch('team-a/first');
    w.unwatch('team-a/never-watched');
    expect(open(made)).to.deep.equal([]);
    expect(w.watchCount).to.equal(0);
  });

  it('stops every watch on stop and starts none after it', async () => {
    const { w, made } = watches(1);
    w.watch('team-a/first');
    w.watch('team-a/second');
    await w.stop();
    w.watch('team-a/third');
    expect(made).to.have.length(2);
    expect(open(made)).to.deep.equal([]);
  });
});
