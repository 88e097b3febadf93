// config/prometheus: the recording and alert rules pass `promtool check rules` and their unit
// tests pass `promtool test rules`. promtool comes from Debian's prometheus package
// (scripts/setup.sh installs it); without it these tests fail, they do not skip.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { runProcess, type Run } from '../../scripts/lib/run-process.js';

const RULES_DIR = fileURLToPath(new URL('../../config/prometheus/', import.meta.url));
const RULES = 'riskmodel-rules.yaml';
const TESTS = 'riskmodel-rules.test.yaml';

const promtool = (args: string[], cwd = RULES_DIR): Promise<Run> => runProcess('promtool', args, { cwd });
const output = (run: Run): string => `${run.stdout}${run.stderr}`;

describe('Prometheus rules in config/prometheus (promtool)', () => {
  it('pass promtool check rules', async () => {
    const run = await promtool(['check', 'rules', RULES]);
    expect(run.code, output(run)).to.equal(0);
    expect(run.stdout).to.match(/SUCCESS: 9 rules found/);
  });

  it('pass their unit tests under promtool test rules (drift, 5xx ratio, p99 latency, no ready pods)', async () => {
    const run = await promtool(['test', 'rules', TESTS]);
    expect(run.code, output(run)).to.equal(0);
    expect(run.stdout).to.contain('SUCCESS');
  });

  it('fail promtool test rules when an alert threshold changes, so a passing run means something', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'riskmodel-rules-'));
    const rules = readFileSync(path.join(RULES_DIR, RULES), 'utf8').replace('riskmodel:input_drift_psi:max > 0.2', 'riskmodel:input_drift_psi:max > 0.5');
    writeFileSync(path.join(dir, RULES), rules);
    writeFileSync(path.join(dir, TESTS), readFileSync(path.join(RULES_DIR, TESTS), 'utf8'));
    const run = await promtool(['test', 'rules', TESTS], dir);
    expect(run.code).to.not.equal(0);
    expect(output(run)).to.contain('RiskModelInputDrift');
  });

  it('alert on the metric names the inference server exports', async () => {
    const rules = readFileSync(path.join(RULES_DIR, RULES), 'utf8');
    const { startServer } = await import('../../inference/server.js');
    const server = await startServer();
    try {
      await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ heartRate: 80, systolicBP: 120, diastolicBP: 80, temperature: 37, oxygenSaturation: 97 }) });
      const exported = await (await fetch(`${server.url}/metrics`)).text();
      for (const name of ['http_requests_total', 'http_request_duration_seconds_bucket', 'model_input_drift_psi', 'model_input_drift_window_rows']) {
        expect(rules, name).to.contain(name);
        expect(exported, name).to.match(new RegExp(`^${name}[{ ]`, 'm'));
      }
    } finally {
      await server.close();
    }
  });
});
