// An API server in memory for unit tests, behind the same `Kube` interface as the real client:
// paged lists and watches filtered by label and `metadata.name` field selectors, watches the test can drive (or that see every write), server-side apply and merge
// patches, creates and deletes (with a UID precondition), a UID for every new object. Enough of the API server's behaviour for the reflector and the
// controller's wiring to run without a cluster; not a model of admission, defaulting or SSA
// field ownership (an apply replaces the fields it sends and keeps the rest).

import { ApiError } from '../errors.js';
import type { Kube, Query, RequestSpec, WatchStream } from '../kube/client.js';
import { apiVersionOf, collectionPath, type ResourceType } from '../kube/resources.js';
import type { KubeObject } from '../kube/reflector.js';

export interface OpenWatch {
  readonly path: string;
  readonly query: Query;
  push(type: string, object: unknown): void;
  end(): void;
  fail(err: Error): void;
  aborted: boolean;
  /** Ended, failed or aborted: sees no more events. */
  closed: boolean;
}

interface Parsed {
  /** `/apis/apps/v1/deployments`-style path of the resource across namespaces. */
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

const PATH = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/;

function parse(path: string): Parsed {
  const m = PATH.exec(path);
  if (!m) throw new Error(`fake API server: cannot parse path ${path}`);
  const [, base = '', namespace, plural = '', name, subresource] = m;
  return { resource: `${base}/${plural}`, namespace: namespace && decodeURIComponent(namespace), name: name && decodeURIComponent(name), subresource };
}

/** Equality-based label selectors (`a=b,c=d`), the only kind the operator sends. */
function matches(selector: unknown, obj: KubeObject & { metadata?: { labels?: Record<string, string> } }): boolean {
  if (typeof selector !== 'string' || selector === '') return true;
  return selector.split(',').every((term) => {
    const [key = '', value] = term.split('=');
    return obj.metadata?.labels?.[key] === value;
  });
}

/** Field selectors on `metadata.name` / `metadata.namespace` (`metadata.name=weights`), the only ones the operator sends. */
function fieldsMatch(selector: unknown, obj: KubeObject): boolean {
  if (typeof selector !== 'string' || selector === '') return true;
  return selector.split(',').every((term) => {
    const [field = '', value] = term.split('=');
    if (field === 'metadata.name') return obj.metadata?.name === value;
    if (field === 'metadata.namespace') return obj.metadata?.namespace === value;
    throw new Error(`fake API server: field selector ${field} is not supported`);
  });
}

const selected = (query: Query | undefined, obj: Stored): boolean => matches(query?.labelSelector, obj) && fieldsMatch(query?.fieldSelector, obj);

type Stored = KubeObject & { metadata: { name: string; namespace?: string; uid?: string; resourceVersion: string; generation?: number; labels?: Record<string, string> }; spec?: unknown; status?: unknown };

export class FakeKube implements Kube {
  /** When set, lists answer with this resourceVersion instead of the latest one. */
  listRv: string | undefined;
  lists = 0;
  readonly watches: OpenWatch[] = [];
  readonly requests: RequestSpec[] = [];
  /** `resource path|namespace/name` of every object a list answered with or a watch sent, in order. */
  readonly served: string[] = [];
  private readonly objects = new Map<string, Stored>();
  private readonly holds: { when: (spec: RequestSpec) => boolean; until: Promise<void> }[] = [];
  private rv = 10;

  /** Stores objects without telling open watches (as if they existed before the watch started). */
  seed(resource: ResourceType, items: KubeObject[]): void {
    for (const item of items) this.store(resource, structuredClone(item));
  }

  /** Replaces every stored object of the resource without telling open watches (what a watch misses). */
  replaceSilently(resource: ResourceType, items: KubeObject[]): void {
    const prefix = `${collectionPath(resource)}|`;
    for (const key of [...this.objects.keys()]) if (key.startsWith(prefix)) this.objects.delete(key);
    this.seed(resource, items);
  }

  /** The stored object, or undefined. */
  get<T extends KubeObject>(resource: ResourceType, namespace: string, name: string): T | undefined {
    const obj = this.objects.get(this.keyOf(collectionPath(resource), namespace, name));
    return obj && (structuredClone(obj) as T);
  }

  /** Stored objects of a resource, across namespaces. */
  list<T extends KubeObject>(resource: ResourceType): T[] {
    const prefix = `${collectionPath(resource)}|`;
    return [...this.objects].filter(([key]) => key.startsWith(prefix)).map(([, obj]) => structuredClone(obj) as T);
  }

  /** Writes that reached the fake (PATCH, POST, PUT, DELETE), in order. */
  writes(): RequestSpec[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  /** Requests matching `when` wait (a slow answer, e.g. a first list) until the returned function is called. */
  hold(when: (spec: RequestSpec) => boolean): () => void {
    let release!: () => void;
    const held = { when, until: new Promise<void>((resolve) => (release = resolve)) };
    this.holds.push(held);
    return () => {
      this.holds.splice(this.holds.indexOf(held), 1);
      release();
    };
  }

  request<T>(spec: RequestSpec): Promise<T> {
    this.requests.push(structuredClone(spec));
    const held = this.holds.find((h) => h.when(spec));
    if (held) return held.until.then(() => this.handle(spec) as T);
    try {
      return Promise.resolve(this.handle(spec) as T);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  watch(path: string, query: Query, onEvent: (event: unknown) => void): WatchStream {
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const w: OpenWatch = {
      path,
      query,
      aborted: false,
      closed: false,
      push: (type, object) => onEvent({ type, object }),
      end: () => {
        w.closed = true;
        resolve();
      },
      fail: (err) => {
        w.closed = true;
        reject(err);
      },
    };
    this.watches.push(w);
    return {
      done,
      abort: () => {
        w.aborted = true;
        w.fail(new Error('aborted'));
      },
    };
  }

  private handle(spec: RequestSpec): unknown {
    const p = parse(spec.path);
    if (p.name === undefined) return spec.method === 'GET' ? this.listOf(p, spec.query) : this.create(p, spec.body as Stored);
    if (spec.method === 'GET') return this.existing(p);
    if (spec.method === 'DELETE') return this.remove(p, spec.body);
    if (spec.method === 'PATCH') return this.patch(p, spec);
    throw new Error(`fake API server: ${spec.method} ${spec.path} is not supported`);
  }

  private listOf(p: Parsed, query: Query | undefined): unknown {
    this.lists++;
    const prefix = `${p.resource}|`;
    const items = [...this.objects]
      .filter(([key, obj]) => key.startsWith(prefix) && (p.namespace === undefined || obj.metadata.namespace === p.namespace) && selected(query, obj))
      .map(([, obj]) => obj);
    this.served.push(...items.map((obj) => this.keyOf(p.resource, obj.metadata.namespace, obj.metadata.name)));
    // Like the API server, list items carry no apiVersion or kind.
    const bare = items.map(({ apiVersion: _a, kind: _k, ...rest }) => structuredClone(rest));
    return { metadata: { resourceVersion: this.listRv ?? String(this.rv) }, items: bare };
  }

  private existing(p: Parsed): Stored {
    const obj = this.objects.get(this.keyOf(p.resource, p.namespace, p.name));
    if (!obj) throw new ApiError(404, 'NotFound', `${p.resource} "${p.name}" not found`);
    return obj;
  }

  private create(p: Parsed, body: Stored): Stored {
    if (this.objects.has(this.keyOf(p.resource, p.namespace, body.metadata.name))) throw new ApiError(409, 'AlreadyExists', `${p.resource} "${body.metadata.name}" already exists`);
    return this.write(p.resource, { ...structuredClone(body), metadata: { ...body.metadata, namespace: p.namespace } }, 'ADDED');
  }

  private remove(p: Parsed, options: unknown): Stored {
    const obj = this.existing(p);
    const uid = (options as { preconditions?: { uid?: string } } | undefined)?.preconditions?.uid;
    if (uid !== undefined && uid !== obj.metadata.uid) throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${obj.metadata.uid ?? ''}`);
    this.objects.delete(this.keyOf(p.resource, p.namespace, p.name));
    const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.notify(p.resource, 'DELETED', gone);
    return gone;
  }

  private patch(p: Parsed, spec: RequestSpec): Stored {
    const body = structuredClone(spec.body) as Partial<Stored>;
    const key = this.keyOf(p.resource, p.namespace, p.name);
    const old = this.objects.get(key);
    const apply = spec.contentType === 'application/apply-patch+yaml';
    if (!old && !apply) throw new ApiError(404, 'NotFound', `${p.resource} "${p.name}" not found`);
    if (p.subresource === 'status') return this.write(p.resource, { ...this.existing(p), status: body.status }, 'MODIFIED');
    return this.write(p.resource, this.merged(p, old, body), old ? 'MODIFIED' : 'ADDED');
  }

  /** The patched object: sent fields replace stored ones; a spec change is a new generation. */
  private merged(p: Parsed, old: Stored | undefined, body: Partial<Stored>): Stored {
    const metadata = { ...old?.metadata, ...body.metadata, name: p.name ?? '', namespace: p.namespace };
    const merged = { ...old, ...body, metadata } as Stored;
    if (JSON.stringify(old?.spec) !== JSON.stringify(merged.spec)) merged.metadata.generation = (old?.metadata.generation ?? 0) + 1;
    return merged;
  }

  private write(resource: string, obj: Stored, type: 'ADDED' | 'MODIFIED'): Stored {
    obj.metadata.resourceVersion = String(++this.rv);
    obj.metadata.generation ??= 1;
    obj.metadata.uid ??= `uid-${obj.metadata.resourceVersion}`;
    this.objects.set(this.keyOf(resource, obj.metadata.namespace, obj.metadata.name), obj);
    this.notify(resource, type, obj);
    return structuredClone(obj);
  }

  private store(resource: ResourceType, obj: KubeObject): void {
    const stored = { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(resource), kind: obj.kind ?? resource.kind } as Stored;
    stored.metadata.resourceVersion ??= String(++this.rv);
    this.objects.set(this.keyOf(collectionPath(resource), stored.metadata.namespace, stored.metadata.name), stored);
  }

  private notify(resource: string, type: string, obj: Stored): void {
    for (const w of this.watches) {
      if (w.closed || !selected(w.query, obj)) continue;
      const p = parse(w.path);
      if (p.resource !== resource || (p.namespace !== undefined && p.namespace !== obj.metadata.namespace)) continue;
      this.served.push(this.keyOf(resource, obj.metadata.namespace, obj.metadata.name));
      w.push(type, structuredClone(obj));
    }
  }

  private keyOf(resource: string, namespace: string | undefined, name: string | undefined): string {
    return `${resource}|${namespace ?? ''}/${name ?? ''}`;
  }
}
