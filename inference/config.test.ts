import { expect } from 'chai';
import { ConfigError, DEFAULT_CONNECTIONS, DEFAULT_LIMITS, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to port 8080 on all interfaces, info logs, training the default model named patient-risk', () => {
    expect(loadConfig({})).to.deep.equal({
      port: 8080,
      host: '0.0.0.0',
      modelName: 'patient-risk',
      modelPath: undefined,
      logLevel: 'info',
      limits: DEFAULT_LIMITS,
      connections: DEFAULT_CONNECTIONS,
      shutdown: { drainDelayMs: 5000, graceMs: 10_000 },
      driftWindowRows: 5000,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      MODEL_NAME: 'sepsis-v2.1',
      MODEL_PATH: '/models/m.json',
      LOG_LEVEL: 'DEBUG',
      PREDICT_BODY_LIMIT_BYTES: '2048',
      BATCH_BODY_LIMIT_BYTES: '1048576',
      BATCH_MAX_INSTANCES: '500',
      HEADERS_TIMEOUT_MS: '2000',
      REQUEST_TIMEOUT_MS: '4000',
      KEEP_ALIVE_TIMEOUT_MS: '1000',
      MAX_CONNECTIONS: '64',
      SHUTDOWN_DRAIN_DELAY_MS: '1500',
      SHUTDOWN_GRACE_MS: '3000',
      DRIFT_WINDOW_ROWS: '2000',
    });
    expect(config).to.deep.equal({
      port: 9000,
      host: '127.0.0.1',
      modelName: 'sepsis-v2.1',
      modelPath: '/models/m.json',
      logLevel: 'debug',
      limits: { predictBodyBytes: 2048, batchBodyBytes: 1048576, batchMaxInstances: 500 },
      connections: { headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 1000, maxConnections: 64 },
      shutdown: { drainDelayMs: 1500, graceMs: 3000 },
      driftWindowRows: 2000,
    });
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'http' }, /PORT must be an integer from 0 to 65535, got "http"/],
    [{ PORT: '70000' }, /PORT must be an integer from 0 to 65535/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of error, warn, info, http, verbose, debug, silly, got "loud"/],
    [{ BATCH_MAX_INSTANCES: '0' }, /BATCH_MAX_INSTANCES must be an integer from 1 to 1000000, got "0"/],
    [{ PREDICT_BODY_LIMIT_BYTES: '1.5' }, /PREDICT_BODY_LIMIT_BYTES must be an integer/],
    [{ SHUTDOWN_GRACE_MS: '-1' }, /SHUTDOWN_GRACE_MS must be an integer from 0 to 600000/],
    [{ SHUTDOWN_DRAIN_DELAY_MS: 'soon' }, /SHUTDOWN_DRAIN_DELAY_MS must be an integer from 0 to 600000, got "soon"/],
    [{ MAX_CONNECTIONS: '0' }, /MAX_CONNECTIONS must be an integer from 1 to 1000000/],
    [{ HEADERS_TIMEOUT_MS: '5' }, /HEADERS_TIMEOUT_MS must be an integer from 100 to 600000/],
    [{ MODEL_NAME: 'Patient Risk' }, /MODEL_NAME must be 1 to 253 lowercase letters, digits, '.', '_' or '-'.*got "Patient Risk"/],
    [{ MODEL_NAME: 'a/b' }, /MODEL_NAME must be/],
    [{ DRIFT_WINDOW_ROWS: '50' }, /DRIFT_WINDOW_ROWS must be 0 \(drift tracking off\) or an integer from 100 to 1000000, got "50"/],
    [{ DRIFT_WINDOW_ROWS: 'many' }, /DRIFT_WINDOW_ROWS must be 0 \(drift tracking off\) or an integer from 100 to 1000000, got "many"/],
    [{ DRIFT_WINDOW_ROWS: '2000000' }, /DRIFT_WINDOW_ROWS must be 0/],
  ];
  it('turns drift tracking off with DRIFT_WINDOW_ROWS=0', () => {
    expect(loadConfig({ DRIFT_WINDOW_ROWS: '0' }).driftWindowRows).to.equal(0);
  });

  for (const [env, message] of bad) {
    it(`rejects ${JSON.stringify(env)} naming the variable and what it accepts`, () => {
      expect(() => loadConfig(env)).to.throw(ConfigError, message);
    });
  }
});
