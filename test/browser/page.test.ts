// The web page in a real browser: Debian's chromium driven by playwright-core against the
// real inference server started in-process on loopback. Every test also fails on a console
// error, an uncaught page error, a failed request or any request leaving the machine.
import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bandPoints, type FeatureTransform } from '../../inference/features.js';
import { loadModelFile } from '../../inference/model.js';
import type { FeatureName } from '../../inference/schema.js';
import { startServer, type StartedServer } from '../../inference/server.js';
import { EXAMPLE_PATIENTS as EXAMPLES } from '../../inference/generator.js';
import { waitFor } from '../../localcluster/wait.js';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = fileURLToPath(new URL('../../test-results/web-page.png', import.meta.url));
const STRICT_CSP = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const V1_FIXTURE = fileURLToPath(new URL('../../inference/testdata/model-v1-raw-features.json', import.meta.url));

interface Feature {
  name: string;
  unit: string;
  min: number;
  max: number;
}
interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  meanConfidence: number | null;
  accuracy: number | null;
}
interface Figures {
  accuracy: number;
  brierScore?: number;
  expectedCalibrationError?: number;
}
interface ModelCard {
  version: string;
  classes: string[];
  features: Feature[];
  calibration: { temperature: number; floor: number; validationRows: number } | null;
  transform: Extract<FeatureTransform, { kind: 'early-warning-points' }>;
  metrics: Figures & { reliability?: ReliabilityBin[]; baseline?: Figures; ceiling?: Figures };
}
/** An element as the browser hands it to evaluate(): only what the drift test reads (no DOM types here). */
interface BoxLike {
  getBoundingClientRect(): { height: number };
}
interface Prediction {
  risk: string;
  confidence: number;
  probabilities: Record<string, number>;
  contributions: Record<string, number>;
}

/** Console errors, page errors, failed and external requests seen while a test runs. */
class Problems {
  readonly seen: string[] = [];
  /** Problems matching one of these are expected by the current test. */
  expected: RegExp[] = [];

  watch(page: Page): void {
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.add(`console error: ${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => this.add(`page error: ${err.stack ?? err.message}`));
    page.on('request', (req) => {
      const { protocol, host, hostname } = new URL(req.url());
      if (protocol !== 'data:' && !LOOPBACK.has(hostname) && !LOOPBACK.has(host)) this.add(`external request: ${req.url()}`);
    });
    page.on('requestfailed', (req) => this.add(`failed request: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  }

  private add(problem: string): void {
    if (!this.expected.some((re) => re.test(problem))) this.seen.push(problem);
  }
}

async function numberIn(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  // The page writes a typographic minus (U+2212) and thousands separators.
  return Number(text.replace(/\u2212/g, '-').replace(/[,%+\s]/g, ''));
}

async function focusedId(page: Page): Promise<string | null> {
  return page.locator(':focus').getAttribute('id');
}

/** The part of a canvas element the pixel check uses (the project's types have no DOM lib). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}

/** The page's accuracy (one decimal), ECE and Brier (three decimals) of a row of the calibration table. */
async function expectFigures(page: Page, prefix: string, figures: Figures | undefined): Promise<void> {
  expect(figures, prefix).to.not.equal(undefined);
  expect(await numberIn(page, `${prefix}-accuracy`)).to.be.closeTo((figures?.accuracy ?? NaN) * 100, 0.051);
  expect(await page.getByTestId(`${prefix}-ece`).textContent()).to.equal(figures?.expectedCalibrationError?.toFixed(3));
  expect(await page.getByTestId(`${prefix}-brier`).textContent()).to.equal(figures?.brierScore?.toFixed(3));
}

/** One row per non-empty bin: its range, calls, mean confidence and accuracy. */
async function expectReliability(page: Page, reliability: ReliabilityBin[]): Promise<void> {
  const bins = reliability.map((bin, i) => ({ bin, i })).filter(({ bin }) => bin.count > 0);
  expect(bins.length).to.be.above(0);
  expect(await page.locator('[data-testid^="reliability-row-"]').count()).to.equal(bins.length);
  const percent = (text: string | undefined): number => Number(text?.replace('%', ''));
  for (const { bin, i } of bins) {
    const cells = await page.getByTestId(`reliability-row-${i}`).locator('td').allTextContents();
    expect(cells[0]).to.equal(`${Math.round(bin.lower * 100)}%–${Math.round(bin.upper * 100)}%`);
    expect(Number(cells[1])).to.equal(bin.count);
    expect(percent(cells[2])).to.be.closeTo((bin.meanConfidence ?? NaN) * 100, 0.051);
    expect(percent(cells[3])).to.be.closeTo((bin.accuracy ?? NaN) * 100, 0.051);
  }
}

describe('web page in a real browser (chromium, in-process server)', function () {
  this.timeout(60_000);
  let server: StartedServer;
  let browser: Browser;
  let card: ModelCard;
  let page: Page;
  let problems: Problems;

  const api = (path: string) => new URL(path, `${server.url}/`).toString();

  async function serverPrediction(vitals: Record<string, number>): Promise<Prediction> {
    const res = await fetch(api('predict'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(vitals) });
    expect(res.status).to.equal(200);
    return (await res.json()) as Prediction;
  }

  before(async () => {
    server = await startServer({ port: 0, host: '127.0.0.1', logLevel: 'warn' });
    card = (await (await fetch(api('model'))).json()) as ModelCard;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    problems = new Problems();
    problems.watch(page);
    // Serve the page under the strictest useful policy: same-origin everything, no inline
    // script or style. A violation is a console error, so the page must need neither.
    await page.route(`${server.url}/`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': STRICT_CSP } });
    });
    await page.goto(`${server.url}/`);
    await page.locator('body[data-ready="true"]').waitFor();
  });

  afterEach(async () => {
    await page.close();
  });

  function expectNoProblems(): void {
    expect(problems.seen, 'console errors, failed or external requests').to.deep.equal([]);
  }

  it('labels every vital with its unit and the allowed range from the model card', async () => {
    expect(card.features.map((f) => f.name)).to.have.length(5);
    for (const { name, unit, min, max } of card.features) {
      const label = await page.locator(`label[for="f-${name}"]`).textContent();
      expect(label, name).to.contain(`(${unit})`);
      // The label is bound to its input, so assistive tech and clicks reach the field.
      await page.locator(`label[for="f-${name}"]`).click();
      expect(await focusedId(page)).to.equal(`f-${name}`);
      expect(await page.getByTestId(`range-${name}`).textContent()).to.equal(`Allowed ${min}–${max} ${unit}`);
    }
    expect(await page.getByTestId('model-version').textContent()).to.equal(card.version);
    expectNoProblems();
  });

  it("shows the model's calibration beside the raw-feature baseline and the labelling rule, with its reliability table", async () => {
    expect(card.calibration, 'the default model is calibrated').to.not.equal(null);
    expect(await page.getByTestId('cal-method').textContent()).to.contain(`Fitted on ${card.calibration?.validationRows} validation rows`);
    await expectFigures(page, 'cal', card.metrics);
    await expectFigures(page, 'cal-baseline', card.metrics.baseline);
    expect(await numberIn(page, 'cal-ceiling-accuracy')).to.be.closeTo((card.metrics.ceiling?.accuracy ?? NaN) * 100, 0.051);
    await expectReliability(page, card.metrics.reliability ?? []);
    expectNoProblems();
  });

  it('says a format-v1 artifact is not calibrated and how to get a calibrated one', async () => {
    const old = await startServer({ port: 0, host: '127.0.0.1', logLevel: 'warn', model: loadModelFile(V1_FIXTURE) });
    const other = await browser.newPage();
    const watcher = new Problems();
    watcher.watch(other);
    try {
      await other.goto(`${old.url}/`);
      await other.locator('body[data-ready="true"]').waitFor();
      expect(await other.getByTestId('cal-method').textContent()).to.match(/^Not calibrated: .*format v1.*npm run train/);
      expect(await other.getByTestId('cal-ece').textContent()).to.equal('–');
      expect(await other.getByTestId('reliability').textContent()).to.equal('No reliability table in this artifact.');
      // No drift reference in a v1 artifact: the drift panel says so and draws nothing.
      await other.locator('[data-testid="drift-status"]', { hasText: 'Drift is not measured' }).waitFor();
      expect(await other.getByTestId('drift-status').textContent()).to.contain('no drift reference');
      expect(await other.locator('[data-testid^="drift-feature-"]').count()).to.equal(0);
      expect(watcher.seen).to.deep.equal([]);
    } finally {
      await other.close();
      await old.close();
    }
  });

  it("draws each feature's training and recent histogram in the drift panel, with the PSI the server reports", async () => {
    // Shifted oxygen saturation: every recent row in the lowest bins.
    const instances = Array.from({ length: 50 }, (_, i) => ({ heartRate: 70 + (i % 40), systolicBP: 120, diastolicBP: 75, temperature: 37, oxygenSaturation: 88 }));
    const res = await fetch(api('predict/batch'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances }) });
    expect(res.status).to.equal(200);
    type DriftFeature = { name: string; psi: number | null; training: number[]; recent: number[] };
    const report = (await (await fetch(api('drift'))).json()) as { available: boolean; window: { rows: number }; features: DriftFeature[] };
    expect(report.available).to.equal(true);
    await page.locator(`[data-testid="drift-status"][data-rows="${report.window.rows}"]`).waitFor({ timeout: 10_000 });
    for (const f of report.features) {
      const card = page.getByTestId(`drift-feature-${f.name}`);
      expect(await card.locator('.drift-bar-training').count(), f.name).to.equal(f.training.length);
      expect(await card.locator('.drift-bar-recent').count(), f.name).to.equal(f.recent.length);
      expect(await page.getByTestId(`drift-psi-${f.name}`).textContent(), f.name).to.contain(`PSI ${(f.psi ?? NaN).toFixed(3)}`);
      for (let i = 0; i < f.training.length; i++) {
        expect(Number(await page.getByTestId(`drift-bar-training-${f.name}-${i}`).getAttribute('data-fraction')), `${f.name} bin ${i}`).to.be.closeTo(f.training[i] ?? NaN, 1e-12);
      }
    }
    // The shifted feature reads as a significant shift and its bars have height.
    expect(await page.getByTestId('drift-psi-oxygenSaturation').getAttribute('data-state')).to.equal('bad');
    const height = await page.getByTestId('drift-bar-recent-oxygenSaturation-0').evaluate((node: BoxLike) => node.getBoundingClientRect().height);
    expect(height).to.be.above(10);
    expectNoProblems();
  });

  it('refreshes the status panel every second', async () => {
    await page.locator('[data-testid="st-ready"][data-state="ok"]').waitFor();
    const first = await page.getByTestId('st-updated').textContent();
    await waitFor(async () => (await page.getByTestId('st-updated').textContent()) !== first, { what: 'the next refresh', timeoutMs: 4000, intervalMs: 100 });
    expect(await page.getByTestId('st-health').textContent()).to.equal('Healthy');
    expect(await page.getByTestId('st-uptime').textContent()).to.match(/^\d+ s$|min/);
    expect(await page.getByTestId('model-accuracy').textContent()).to.match(/^\d+\.\d%$/);
    expectNoProblems();
  });

  it('shows the server as unreachable once it stops', async () => {
    const doomed = await startServer({ port: 0, host: '127.0.0.1' });
    const other = await browser.newPage();
    const watcher = new Problems();
    // With the server gone, each poll fails; those failures are what this test expects.
    watcher.expected = [/ERR_CONNECTION_REFUSED/, /ERR_EMPTY_RESPONSE/, /ERR_CONNECTION_RESET/];
    watcher.watch(other);
    let stopped = false;
    try {
      await other.goto(doomed.url);
      await other.locator('[data-testid="st-health"][data-state="ok"]').waitFor();
      await doomed.close();
      stopped = true;
      await other.locator('[data-testid="st-health"][data-state="bad"]').waitFor({ timeout: 5000 });
      expect(await other.getByTestId('st-health').textContent()).to.equal('Unreachable');
      expect(await other.getByTestId('st-ready').textContent()).to.equal('Unknown');
      expect(watcher.seen).to.deep.equal([]);
    } finally {
      await other.close();
      if (!stopped) await doomed.close();
    }
  });

  it('shows the risk, confidence, probabilities and contributions the server computes, using only the keyboard', async () => {
    const vitals = { heartRate: 104, systolicBP: 102, diastolicBP: 64, temperature: 38.4, oxygenSaturation: 94 };
    await page.getByTestId('input-heartRate').focus();
    for (const name of Object.keys(vitals) as (keyof typeof vitals)[]) {
      await page.keyboard.type(String(vitals[name]));
      if (name !== 'oxygenSaturation') await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.getByTestId('result-risk').waitFor();

    const expected = await serverPrediction(vitals);
    expect(await page.getByTestId('result-risk').textContent()).to.equal(expected.risk);
    expect(await numberIn(page, 'result-confidence')).to.be.closeTo(expected.confidence * 100, 0.051);
    let sum = 0;
    for (const cls of card.classes) {
      const shown = await numberIn(page, `prob-value-${cls}`);
      expect(shown, cls).to.be.closeTo((expected.probabilities[cls] ?? NaN) * 100, 0.051);
      sum += shown;
    }
    expect(sum).to.be.closeTo(100, 0.2);
    for (const { name } of card.features) {
      const shown = await numberIn(page, `contribution-value-${name}`);
      expect(shown, name).to.be.closeTo((expected.contributions[name] ?? NaN) * 100, 0.51);
      // How far out of band, from the model card's transform: the server's own definition.
      const points = bandPoints(card.transform.bands[name as FeatureName], vitals[name as keyof typeof vitals]);
      expect(await page.getByTestId(`points-${name}`).textContent(), name).to.equal(`${points} band point${points === 1 ? '' : 's'}`);
    }
    expect(await page.getByTestId('result').getAttribute('aria-live')).to.equal('polite');
    expectNoProblems();
  });

  it('fills and assesses the critical example as High risk', async () => {
    await page.getByTestId('example-critical').click();
    await page.getByTestId('result-risk').waitFor();
    expect(await page.getByTestId('result-risk').textContent()).to.equal('High');
    expect(await page.getByTestId('input-oxygenSaturation').inputValue()).to.equal(String(EXAMPLES.critical.oxygenSaturation));
    await page.getByTestId('example-healthy').click();
    await page.locator('[data-testid="result-risk"]', { hasText: 'Low' }).waitFor();
    expectNoProblems();
  });

  it("shows the server's validation errors next to each bad field, and no stale result", async () => {
    // Chromium logs every 4xx response as a console error; this test expects exactly those.
    problems.expected = [/^console error: .*status of 400 .*\/predict\)$/];
    await page.getByTestId('example-healthy').click();
    await page.getByTestId('result-risk').waitFor();
    await page.getByTestId('input-heartRate').fill('400');
    await page.getByTestId('input-temperature').fill('');
    await page.getByTestId('predict-submit').click();

    const heartRate = card.features.find((f) => f.name === 'heartRate') as Feature;
    await page.locator('[data-testid="error-heartRate"]:visible').waitFor();
    const heartError = await page.getByTestId('error-heartRate').textContent();
    expect(heartError).to.contain(String(heartRate.min)).and.to.contain(String(heartRate.max));
    expect(await page.getByTestId('error-temperature').isVisible()).to.be.true;
    expect(await page.getByTestId('input-heartRate').getAttribute('aria-invalid')).to.equal('true');
    for (const name of ['systolicBP', 'diastolicBP', 'oxygenSaturation']) {
      expect(await page.getByTestId(`error-${name}`).isVisible(), name).to.be.false;
      expect(await page.getByTestId(`input-${name}`).getAttribute('aria-invalid'), name).to.equal(null);
    }
    expect(await page.getByTestId('result-risk').count()).to.equal(0);
    expect(await focusedId(page)).to.equal('f-heartRate');

    // Correcting the field clears its error and the next submission succeeds.
    await page.getByTestId('input-heartRate').fill('80');
    expect(await page.getByTestId('error-heartRate').isVisible()).to.be.false;
    await page.getByTestId('input-temperature').fill('37');
    await page.getByTestId('predict-submit').click();
    await page.getByTestId('result-risk').waitFor();
    expect(await page.getByTestId('form-errors').isVisible()).to.be.false;
    expectNoProblems();
  });

  it('runs a 200-request load test at concurrency 4 and the counters and the status panel follow it', async () => {
    await page.locator('[data-testid="st-health"][data-state="ok"]').waitFor();
    expect(await page.getByTestId('st-ready').textContent()).to.equal('Ready');
    expect(await page.getByTestId('st-version').textContent()).to.equal(card.version);
    const servedBefore = await numberIn(page, 'st-requests');

    await page.getByTestId('example-critical').click();
    await page.getByTestId('result-risk').waitFor();
    await page.getByTestId('lt-total').fill('200');
    await page.getByTestId('lt-concurrency').fill('4');
    await page.getByTestId('lt-start').click();
    await page.locator('[data-testid="lt-state"][data-state="finished"]').waitFor({ timeout: 45_000 });

    expect(await numberIn(page, 'lt-sent')).to.equal(200);
    expect(await numberIn(page, 'lt-ok')).to.equal(200);
    expect(await numberIn(page, 'lt-errors')).to.equal(0);
    expect(await numberIn(page, 'lt-inflight')).to.equal(0);
    expect(await page.getByTestId('lt-summary').textContent()).to.match(/^Finished: 200 requests in [\d.]+ s, 200 OK/);
    expect(await page.getByTestId('lt-start').isEnabled()).to.be.true;
    expect(await page.getByTestId('lt-stop').isEnabled()).to.be.false;

    // The server's own count, shown by the status panel, rises by at least the 200 requests.
    await waitFor(async () => (await numberIn(page, 'st-requests')) >= servedBefore + 200, { what: 'requests served to rise by 200', timeoutMs: 5000, intervalMs: 100 });
    expect(await page.getByTestId('st-p99').textContent()).to.match(/ms$/);

    // The chart drew the throughput line in its colour (#2563eb).
    const throughputPixels = await page.getByTestId('lt-chart').evaluate((canvas: CanvasLike) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === 0x25 && data[i + 1] === 0x63 && data[i + 2] === 0xeb) n++;
      return n;
    });
    expect(throughputPixels).to.be.above(50);

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expectNoProblems();
  });

  it('stops a rate-paced run when Stop is pressed, long before its planned end', async () => {
    await page.getByTestId('lt-mode-rate').check();
    await page.getByTestId('lt-rate').fill('40');
    await page.getByTestId('lt-duration').fill('60');
    await page.getByTestId('lt-concurrency').fill('2');
    await page.getByTestId('lt-start').click();
    await page.locator('[data-testid="lt-state"][data-state="running"]').waitFor();
    await waitFor(async () => (await numberIn(page, 'lt-sent')) >= 10, { what: 'ten requests sent', timeoutMs: 10_000, intervalMs: 100 });
    await page.getByTestId('lt-stop').click();
    await page.locator('[data-testid="lt-state"][data-state="stopped"]').waitFor({ timeout: 5000 });

    const sent = await numberIn(page, 'lt-sent');
    expect(sent).to.be.within(10, 400);
    expect(await numberIn(page, 'lt-ok')).to.equal(sent);
    expect(await page.getByTestId('lt-summary').textContent()).to.match(/^Stopped: /);
    await page.waitForTimeout(500);
    expect(await numberIn(page, 'lt-sent')).to.equal(sent);
    expectNoProblems();
  });

  it('explains a bad load-test plan next to its field and sends nothing', async () => {
    await page.getByTestId('lt-concurrency').fill('0');
    await page.getByTestId('lt-start').click();
    expect(await page.getByTestId('lt-error-concurrency').textContent()).to.equal('must be a whole number from 1 to 64');
    expect(await page.getByTestId('lt-concurrency').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.getByTestId('lt-state').textContent()).to.equal('Idle');
    expect(await numberIn(page, 'lt-sent')).to.equal(0);
    expectNoProblems();
  });
});
