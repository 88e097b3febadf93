// A RiskModel reconciled against the fake cluster, with helpers to change its model and spec:
// the world of the delivery and canary tests. Not used at run time.

import type { V1Deployment } from '@kubernetes/client-node';
import { keyOf, type RiskModel, type RiskModelSpec } from '../api/riskmodel.js';
import { reconcile } from '../reconciler.js';
import { setup } from './fake-cluster.js';
import { configMap, riskModel } from './fixtures.js';

export const withModel = (spec: Partial<RiskModelSpec> = {}) => riskModel({ model: { version: 'v1', configMapRef: { name: 'risk-model' } }, ...spec });
/** The ConfigMap a Deployment's pods mount their model from. */
export const mounted = (d: V1Deployment | undefined) => d?.spec?.template.spec?.volumes?.find((v) => v.name === 'model')?.configMap?.name;

/** A RiskModel reconciled against the fake cluster, with helpers to change its model and spec. */
export function world(spec: Partial<RiskModelSpec> = {}) {
  const rm = withModel(spec);
  const w = setup(rm);
  const put = (text: string) => w.cluster.configMaps.set('team-a/risk-model', configMap('risk-model', { 'model.json': text }));
  const current = () => w.cluster.riskModel('team-a', 'demo')!;
  const edit = (change: (rm: RiskModel) => void) => {
    const next = structuredClone(current());
    change(next);
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    w.cluster.riskModels.set(keyOf(next.metadata), next);
  };
  const run = async () => {
    const result = await reconcile(w.key, w.ctx);
    return result;
  };
  const snapshots = () => w.cluster.configMapsLabelled('team-a', { 'app.kubernetes.io/component': 'model-snapshot' });
  const later = (seconds: number) => {
    w.clock.now = new Date(w.clock.now.getTime() + seconds * 1000);
  };
  return { ...w, put, current, edit, run, snapshots, later };
}

