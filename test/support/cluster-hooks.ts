// Root hooks for the cluster suites (loaded with `mocha --file`): obtain the local cluster before
// any suite, and at the end delete the test namespaces and stop the cluster only if this run
// started it. A cold cache builds the binaries first, hence the long timeout. Ctrl-C or SIGTERM
// (a CI timeout) also stops a cluster this run started, since mocha's `after` hooks do not run then.
import { ensureCluster, releaseCluster } from './cluster.js';

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n[localcluster] ${signal}: cleaning up before exit`);
    releaseCluster().then(
      () => process.exit(130),
      () => process.exit(130),
    );
  });
}

before(async function () {
  this.timeout(90 * 60_000);
  await ensureCluster();
});

after(async function () {
  this.timeout(120_000);
  await releaseCluster();
});
