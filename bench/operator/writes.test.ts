import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { difference, operatorWroteSince, parseServerWrites } from './writes.js';

const line = (labels: Record<string, string>, value: number) =>
  `apiserver_request_total{${Object.entries({ code: '200', component: 'apiserver', dry_run: '', scope: 'resource', subresource: '', version: 'v1', ...labels }).map(([k, v]) => `${k}="${v}"`).join(',')}} ${value}`;

describe('bench: counting write requests from the API server\'s /metrics', () => {
  it('sums write verbs per resource, status subresource apart, across codes and groups', () => {
    const text = [
      '# HELP apiserver_request_total Counter of apiserver requests',
      '# TYPE apiserver_request_total counter',
      line({ group: 'apps', resource: 'deployments', verb: 'APPLY' }, 12),
      line({ group: 'apps', resource: 'deployments', verb: 'APPLY', code: '409' }, 3),
      line({ group: 'apps', resource: 'deployments', verb: 'PATCH' }, 1),
      line({ group: 'riskmodel.dev', resource: 'riskmodels', subresource: 'status', verb: 'APPLY', version: 'v1alpha1' }, 7),
      line({ group: 'riskmodel.dev', resource: 'riskmodels', verb: 'POST', version: 'v1alpha1' }, 2),
      line({ group: '', resource: 'events', verb: 'POST' }, 5),
    ].join('\n');
    expect(parseServerWrites(text)).to.deep.equal({ deployments: 16, 'riskmodels/status': 7, riskmodels: 2, events: 5 });
  });

  it('ignores reads, watches, resources the operator never writes and other metrics', () => {
    const text = [
      line({ group: 'apps', resource: 'deployments', verb: 'GET' }, 100),
      line({ group: 'apps', resource: 'deployments', verb: 'WATCH' }, 100),
      line({ group: 'apps', resource: 'deployments', verb: 'LIST' }, 100),
      line({ group: 'apps', resource: 'deployments', subresource: 'scale', verb: 'PATCH' }, 100),
      line({ group: '', resource: 'pods', verb: 'POST' }, 100),
      'apiserver_request_duration_seconds_bucket{resource="deployments",verb="APPLY",le="0.1"} 100',
    ].join('\n');
    expect(parseServerWrites(text)).to.deep.equal({});
  });

  it('reports only what grew between two readings', () => {
    expect(difference({ deployments: 16, services: 3, hpas: 2 }, { deployments: 10, services: 3 })).to.deep.equal({ deployments: 6, hpas: 2 });
  });
});

describe('bench: telling the operator\'s writes from others\' in watch events', () => {
  const since = Date.parse('2026-12-01T10:00:00.400Z');
  const object = (manager: string, time: string): k8s.KubernetesObject => ({ metadata: { managedFields: [{ manager, time: new Date(time), operation: 'Apply' }] } });

  const cases: [string, k8s.KubernetesObject, boolean][] = [
    ['an apply by the operator in the window', object('riskmodel-operator', '2026-12-01T10:00:03Z'), true],
    ['one in the same second as the window\'s start (managedFields keep whole seconds)', object('riskmodel-operator', '2026-12-01T10:00:00Z'), true],
    ['one before the window', object('riskmodel-operator', '2026-12-01T09:59:59Z'), false],
    ['a write by another manager in the window', object('kube-controller-manager', '2026-12-01T10:00:03Z'), false],
    ['an Event the operator reported in the window', { ...object('node', '2026-12-01T10:00:05Z'), involvedObject: {}, reportingComponent: 'riskmodel.dev/riskmodel-operator' } as k8s.KubernetesObject, true],
    ['an Event another component reported', { ...object('kube-controller-manager', '2026-12-01T10:00:05Z'), involvedObject: {}, reportingComponent: 'deployment-controller' } as k8s.KubernetesObject, false],
  ];
  for (const [what, obj, expected] of cases) it(`counts ${what}: ${expected}`, () => expect(operatorWroteSince(obj, since)).to.equal(expected));
});
