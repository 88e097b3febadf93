// Process entry point: configuration, model, listen, signals. Everything else lives in
// modules that tests drive in-process.

import { ConfigError, loadConfig, type ServerConfig } from './config.js';
import { defaultModel } from './default-model.js';
import { createLogger } from './logger.js';
import { loadModelFile, type Model } from './model.js';
import { createInferenceServer, listen } from './server.js';

function loadModel(config: ServerConfig): { model: Model; source: string } {
  if (config.modelPath) return { model: loadModelFile(config.modelPath), source: config.modelPath };
  return { model: defaultModel(), source: 'trained at start (default seed)' };
}

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(JSON.stringify({ level: 'error', message: `configuration: ${err.message}` }));
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  process.on('uncaughtException', (err) => {
    logger.error('uncaught exception', err);
    process.exit(1);
  });
  try {
    const { model, source } = loadModel(config);
    const inference = createInferenceServer(model, { modelName: config.modelName, logger, limits: config.limits, connections: config.connections, driftWindowRows: config.driftWindowRows });
    const address = await listen(inference.server, config.port, config.host);
    inference.markReady();
    logger.info('listening', { host: address.address, port: address.port, modelName: config.modelName, modelVersion: model.version, modelSource: source });
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { signal, ...config.shutdown });
      void inference.shutdown(config.shutdown).then((drained) => {
        if (drained) logger.info('stopped');
        else logger.error('grace period ran out; cut remaining connections');
        process.exit(drained ? 0 : 1);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  } catch (err) {
    logger.error('failed to start', err);
    process.exit(1);
  }
}

void main();
