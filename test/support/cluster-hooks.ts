// Root hooks for the cluster suites (loaded with `mocha --file`): obtain the local cluster before
// any suite, and at the end delete the test namespaces and stop the cluster only if this run
// started it. A cold cache builds the binaries first, hence the long timeout.
import { ensureCluster, releaseCluster } from './cluster.js';

before(async function () {
  this.timeout(90 * 60_000);
  await ensureCluster();
});

after(async function () {
  this.timeout(120_000);
  await releaseCluster();
});
