// `npm run operator`: reads the configuration, starts the operator, and on SIGTERM/SIGINT
// finishes the reconciles in flight, releases the Lease and exits 0; a second signal exits 1 at once.

import { ConfigError, loadConfig, processDeps, usage } from './config.js';
import { createLogger } from './logger.js';
import { startOperator } from './runtime/manager.js';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(usage());
  process.exit(0);
}

let config;
try {
  config = loadConfig(process.env, args, processDeps);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(JSON.stringify({ level: 'error', message: `invalid configuration: ${err.message}`, component: 'riskmodel-operator' }));
  process.exit(2);
}

const log = createLogger(config.logLevel);
if (config.inferenceImageDefaulted) {
  // A RiskModel without spec.image runs this image; a cluster that cannot pull it leaves its pods in ImagePullBackOff.
  log.warn(`INFERENCE_IMAGE is not set: RiskModels without spec.image will run ${config.inferenceImage}; set INFERENCE_IMAGE to an image this cluster can pull`, { inferenceImage: config.inferenceImage });
}
try {
  const operator = await startOperator(config, { log });
  // The first SIGTERM/SIGINT stops gracefully; a second one (Ctrl-C again) exits at once, as
  // controller-runtime's and kube-rs's signal handlers do.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn(`second ${signal}: exiting without finishing the shutdown`, { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('signal received', { signal });
    operator.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error('shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  operator.failed.catch(async (err: Error) => {
    log.error('operator cannot continue', { error: err.message });
    await operator.stop();
    process.exit(1);
  });
} catch (err) {
  log.error('operator failed to start', err as Error);
  process.exit(1);
}
