// Small object builders shared by the local-cluster tests.
import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';

/** A Deployment of `replicas` pods labelled app=<name>, requesting 100m CPU each (HPA utilisation is relative to it). */
export function deployment(name: string, replicas: number): V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image: 'registry.example/app:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
        },
      },
    },
  };
}

/** An autoscaling/v2 HPA on Deployment `target`. */
export function hpa(name: string, target: string, spec: Omit<NonNullable<V2HorizontalPodAutoscaler['spec']>, 'scaleTargetRef'>): V2HorizontalPodAutoscaler {
  return {
    metadata: { name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, ...spec },
  };
}

