import { expect } from 'chai';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { CONFIG_HASH_ANNOTATION } from '../api/labels.js';
import { podProblem, templateHashOf } from './pod-health.js';
import { Reason } from '../api/reasons.js';

const HASH = 'abc123';
const IMAGE = 'ghcr.io/riskmodel/riskmodel-inference:0.1.0';

function pod(name: string, status: V1Pod['status'], hash = HASH, extra: Partial<V1Pod['metadata']> = {}): V1Pod {
  return { metadata: { name, namespace: 'team-a', annotations: { [CONFIG_HASH_ANNOTATION]: hash }, ...extra }, status };
}

const container = (s: Partial<V1ContainerStatus>): V1ContainerStatus => ({ name: 'inference', image: IMAGE, imageID: '', ready: false, restartCount: 0, ...s });
const waiting = (reason: string, message?: string, more: Partial<V1ContainerStatus> = {}): V1Pod['status'] => ({
  phase: 'Pending', containerStatuses: [container({ state: { waiting: { reason, ...(message ? { message } : {}) } }, ...more })],
});
const healthy: V1Pod['status'] = { phase: 'Running', containerStatuses: [container({ ready: true, state: { running: {} } })] };
const crashed = (reason: string, exitCode: number): Partial<V1ContainerStatus> => ({ restartCount: 4, lastState: { terminated: { reason, exitCode } } });

describe('pod health (why the pods of the current template cannot run)', () => {
  const cases: [string, V1Pod[], string | undefined, RegExp | undefined][] = [
    ['finds nothing wrong with running pods', [pod('m-1', healthy)], undefined, undefined],
    ['finds nothing wrong with a pod still being created', [pod('m-1', waiting('ContainerCreating'))], undefined, undefined],
    [
      'reports an image that cannot be pulled, naming the pod, the container, the image and the kubelet\'s words',
      [pod('m-1', waiting('ErrImagePull', 'failed to pull and unpack image: not found'))],
      Reason.ImagePullFailed,
      /^pod m-1 container inference cannot pull image "ghcr\.io\/riskmodel\/riskmodel-inference:0\.1\.0": ErrImagePull: failed to pull and unpack image: not found$/,
    ],
    ['reports the back-off after a failed pull the same way', [pod('m-1', waiting('ImagePullBackOff', 'Back-off pulling image'))], Reason.ImagePullFailed, /ImagePullBackOff: Back-off pulling image/],
    ['reports an image name the runtime refuses', [pod('m-1', waiting('InvalidImageName', 'Failed to apply default image tag'))], Reason.ImagePullFailed, /InvalidImageName/],
    ['reports a container that keeps crashing with its last exit code', [pod('m-1', waiting('CrashLoopBackOff', 'back-off 40s restarting failed container', crashed('Error', 1)))], Reason.CrashLooping, /^pod m-1 container inference keeps crashing \(CrashLoopBackOff\), last exit code 1 \(Error\)$/],
    ['adds what the container wrote to its termination log', [pod('m-1', waiting('CrashLoopBackOff', undefined, { lastState: { terminated: { exitCode: 2, reason: 'Error', message: 'invalid configuration: PORT must be 1-65535\n' } } }))], Reason.CrashLooping, /exit code 2 \(Error\): invalid configuration: PORT must be 1-65535$/],
    ['reports a container killed for its memory limit as OOMKilled rather than as a crash loop', [pod('m-1', waiting('CrashLoopBackOff', 'back-off', crashed('OOMKilled', 137)))], Reason.OOMKilled, /^pod m-1 container inference was OOMKilled \(exit code 137\)/],
    ['leaves alone a container that runs and is ready again after one OOM kill', [pod('m-1', { phase: 'Running', containerStatuses: [container({ ready: true, state: { running: {} }, ...crashed('OOMKilled', 137) })] })], undefined, undefined],
    ['reports a container the kubelet cannot create', [pod('m-1', waiting('CreateContainerConfigError', 'configmap "patient-risk-model" not found'))], Reason.ContainerConfigError, /cannot be created: CreateContainerConfigError: configmap "patient-risk-model" not found/],
    [
      'reports a pod no node can take, in the scheduler\'s words',
      [pod('m-1', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/4 nodes are available: 4 Insufficient cpu.' }] })],
      Reason.Unschedulable,
      /^pod m-1 cannot be scheduled: 0\/4 nodes are available: 4 Insufficient cpu\.$/,
    ],
    ['looks at init containers too', [pod('m-1', { phase: 'Pending', initContainerStatuses: [container({ name: 'init', state: { waiting: { reason: 'ErrImagePull' } } })] })], Reason.ImagePullFailed, /container init/],
    ['ignores pods of another template (the previous rollout\'s, or a canary\'s)', [pod('m-old', waiting('ErrImagePull'), 'other-hash')], undefined, undefined],
    ['ignores terminating pods', [pod('m-1', waiting('CrashLoopBackOff', 'x', crashed('Error', 1)), HASH, { deletionTimestamp: new Date() })], undefined, undefined],
    [
      'names the first stuck pod by name and counts the others with the same cause',
      [pod('m-3', waiting('ErrImagePull')), pod('m-1', healthy), pod('m-2', waiting('ImagePullBackOff'))],
      Reason.ImagePullFailed,
      /^pod m-2 container inference .*\(and 1 more pod of the current template\)$/,
    ],
  ];
  for (const [name, pods, reason, message] of cases) {
    it(name, () => {
      const problem = podProblem(pods, HASH);
      if (reason === undefined) {
        expect(problem).to.equal(undefined);
        return;
      }
      expect(problem?.reason).to.equal(reason);
      expect(problem?.message).to.match(message!);
    });
  }

  it('judges nothing while the Deployment\'s template hash is unknown', () => {
    expect(podProblem([pod('m-1', waiting('ErrImagePull'))], undefined)).to.equal(undefined);
    expect(templateHashOf(undefined)).to.equal(undefined);
  });

  it('reads the template hash from the Deployment\'s pod template annotation', () => {
    expect(templateHashOf({ spec: { selector: {}, template: { metadata: { annotations: { [CONFIG_HASH_ANNOTATION]: HASH } } } } })).to.equal(HASH);
  });
});
