// Watches for the benchmark, through client-node's Watch (the operator's own client is what is
// measured, so the benchmark does not use it).
import * as k8s from '@kubernetes/client-node';
import { withTimeout } from './cluster.js';

export type WatchHandler = (phase: string, obj: k8s.KubernetesObject) => void;

/** An open watch; `close()` ends it. */
export interface OpenWatch {
  close(): void;
}

/**
 * Watches `apiPath` (a collection URL) with `query`, calling `onEvent` for each event, until
 * closed. The API server drops watchers that fall behind and client-node then just ends the
 * watch, so an ended watch is reopened after a second; reopening replays every current object
 * as ADDED, which is all the state-based handlers here need. Resolves once the first watch is open.
 */
export async function openWatch(kc: k8s.KubeConfig, apiPath: string, query: Record<string, string>, onEvent: WatchHandler): Promise<OpenWatch> {
  let closed = false;
  let controller: AbortController | undefined;
  const reopenSoon = (): void => {
    if (!closed) setTimeout(() => void start().catch(reopenSoon), 1000);
  };
  const start = async (): Promise<void> => {
    controller = await new k8s.Watch(kc).watch(apiPath, query, (phase, obj: k8s.KubernetesObject) => onEvent(phase, obj), reopenSoon);
  };
  await start();
  return {
    close: () => {
      closed = true;
      controller?.abort();
    },
  };
}

/** Watches `apiPath` until `done` says so for an event, or rejects after `timeoutMs`. */
export async function watchUntil(kc: k8s.KubeConfig, apiPath: string, done: (obj: k8s.KubernetesObject) => boolean, timeoutMs: number): Promise<void> {
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const watch = await openWatch(kc, apiPath, {}, (_phase, obj) => {
    if (done(obj)) finish();
  });
  try {
    await withTimeout(finished, timeoutMs, `a watch of ${apiPath} to see everything ready`);
  } finally {
    watch.close();
  }
}
