// Proof 10 (cluster): with two operator processes exactly one leads; when it dies the other
// takes over and reconciles; SIGTERM hands the Lease back at once.
import { expect } from 'chai';
import { eventually } from './harness/eventually.js';
import { riskModel } from './harness/fixtures.js';
import type { OperatorProcess } from '../../scripts/lib/operator-process.js';
import { useTestbed } from './harness/testbed.js';

const LEASE_NAME = 'riskmodel-operator-leader';
const LEASE_SECONDS = 4;

describe('operator on the local cluster: leader election', function () {
  const bed = useTestbed();
  let leader: OperatorProcess;
  let follower: OperatorProcess;

  const withLease = () => ({ lease: { name: LEASE_NAME, namespace: bed.namespace, durationSeconds: LEASE_SECONDS } });
  const leads = (operator: OperatorProcess): boolean => operator.running && operator.logged('became leader').length > 0;

  before(async function () {
    const [a, b] = await Promise.all([bed.startOperator(withLease()), bed.startOperator(withLease())]);
    const first = await eventually('one operator to log "became leader"', () => Promise.resolve([a, b].find(leads)), { timeoutMs: 60_000 });
    leader = first;
    follower = first === a ? b : a;
  });

  it('lets exactly one of two operators lead, recorded in the Lease', async function () {
    // Well past a lease period: the follower had every chance to (wrongly) take over.
    await new Promise((resolve) => setTimeout(resolve, (LEASE_SECONDS + 3) * 1000));
    expect([leader, follower].filter(leads).map((o) => o.options.podName)).to.deep.equal([leader.options.podName]);
    const lease = await bed.cluster.coordination.readNamespacedLease({ namespace: bed.namespace, name: LEASE_NAME });
    expect(lease.spec?.holderIdentity).to.equal(leader.options.podName);
  });

  it('has the leader reconcile a new RiskModel', async function () {
    await bed.cluster.createRiskModel(riskModel(bed.namespace, 'under-first-leader', { minReplicas: 1 }));
    await bed.waitForReady('under-first-leader');
  });

  it('hands over to the other operator when the leader is killed, which then reconciles a new RiskModel', async function () {
    await leader.kill();
    await follower.waitForLog((entry) => entry.message === 'became leader', 60_000, 'the follower to take over');
    const lease = await bed.cluster.coordination.readNamespacedLease({ namespace: bed.namespace, name: LEASE_NAME });
    expect(lease.spec?.holderIdentity).to.equal(follower.options.podName);
    await bed.cluster.createRiskModel(riskModel(bed.namespace, 'under-second-leader', { minReplicas: 1 }));
    const ready = await bed.waitForReady('under-second-leader');
    expect(ready.status?.readyReplicas).to.equal(1);
  });

  it('releases the Lease on SIGTERM, exiting 0', async function () {
    const successor = await bed.startOperator(withLease());
    expect(await follower.stop(), 'exit code').to.equal(0);
    const lease = await bed.cluster.coordination.readNamespacedLease({ namespace: bed.namespace, name: LEASE_NAME });
    expect([undefined, null, '', successor.options.podName], 'holder right after the leader exited').to.include(lease.spec?.holderIdentity);
    await successor.waitForLog((entry) => entry.message === 'became leader', 30_000, 'the successor to lead');
  });
});
