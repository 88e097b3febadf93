// Needs the local cluster with its real node. Input drift (issue 20) on real pods under real
// Service traffic: patients drawn like the training data, from 24 seeds, never raise InputDrift
// (the false-positive rate is measured over the windows and printed); patients whose SpO2 reads
// 4 points low raise it within one window plus the operator's reading period, naming
// oxygenSaturation, with a Warning event and Ready untouched; normal traffic clears it again.
import { expect } from 'chai';
import { condition, type RiskModel, type RiskModelSpec } from '../operator/harness/api.js';
import { eventually } from '../operator/harness/eventually.js';
import { trainedArtifact } from '../operator/harness/fixtures.js';
import { createRiskModel, livePods, putModel, serviceUrl, useRealNodeBed, waitReady } from './bed.js';
import { eventLines, waitEvent, waitServiceAnswers } from './delivery.js';
import { joinedDrift, median, sendRows, startStream, wardPatients, type JoinedDrift, type Stream } from './drift.js';

const NAME = 'ward';
const REPLICAS = 2;
/** Each pod's window; small so that a window fills in a second and the test runs in minutes. */
const WINDOW_ROWS = 1000;
const MIN_ROWS = 1000;
const THRESHOLD = 0.2;
/** How often the operator reads the pods' GET /drift. */
const READ_PERIOD_MS = 3_000;
/** Windows of training-distribution traffic the false-positive rate is measured over (the issue asks for at least 20). */
const WINDOWS = 24;
/** Rows sent per window: three times what the pods' windows hold together, so every pod's window is refilled despite kube-proxy's random choice. */
const ROWS_PER_WINDOW = 3 * REPLICAS * WINDOW_ROWS;
/** The stream's rate for detection and clearing: the pods' windows together fill in 10 s. */
const STREAM_ROWS_PER_SECOND = 200;
const FILL_MS = (1000 * REPLICAS * WINDOW_ROWS) / STREAM_ROWS_PER_SECOND;
/** Detection and clearing deadline: one window of rows, one reading period, and time for the reconcile and the status write. */
const WITHIN_MS = FILL_MS + READ_PERIOD_MS + 5_000;
/** The operator keeps PSI to two decimals; its figures and ours may differ by one in the last place. */
const PSI_TOLERANCE = 0.011;

interface DriftStatus {
  rows: number;
  pods: number;
  features: { name: string; psi: number; outOfRange: number }[];
  predictionsPsi?: number;
  since?: string;
  summary: string;
}

type DriftRiskModel = RiskModel & { status?: RiskModel['status'] & { drift?: DriftStatus } };
type DriftSpec = Partial<RiskModelSpec> & { monitoring: { drift: { windowRows: number; minRows: number; psiThreshold: number } } };

/** One window of training-distribution traffic as the operator judged it. */
interface Judged {
  seed: number;
  /** The operator's InputDrift status and worst feature once its figures described this window. */
  inputDrift: string;
  reason?: string;
  worst: { name: string; psi: number };
}

describe('real node: input drift on the RiskModel under real traffic', function () {
  this.timeout(30 * 60_000);
  // Each of the windows waits for the operator's next reading: a 3 s period (the default is 15 s) keeps the test to minutes.
  const bed = useRealNodeBed('drift', { DRIFT_READ_SECONDS: String(READ_PERIOD_MS / 1000) });
  let url: URL;

  const get = async (): Promise<DriftRiskModel> => bed.cluster.getRiskModel(bed.namespace, NAME);
  const inputDrift = (rm: DriftRiskModel) => condition(rm, 'InputDrift');
  const stablePods = async () => (await livePods(bed, NAME)).filter((p) => !p.metadata?.deletionTimestamp);

  before(async function () {
    this.timeout(300_000);
    await putModel(bed, 'ward-model', await trainedArtifact(41));
    const spec: DriftSpec = { minReplicas: REPLICAS, maxReplicas: REPLICAS, monitoring: { drift: { windowRows: WINDOW_ROWS, minRows: MIN_ROWS, psiThreshold: THRESHOLD } } };
    await createRiskModel(bed, NAME, 'ward-model', spec);
    await waitReady(bed, NAME, REPLICAS);
    url = await serviceUrl(bed, NAME);
    await waitServiceAnswers(url);
  });

  /** Waits until the operator's status.drift describes `joined` (same rows and pods, every feature's PSI within the rounding). */
  function waitJudged(joined: JoinedDrift): Promise<DriftRiskModel> {
    return eventually('the operator\'s status.drift to describe the pods\' windows', async (saw) => {
      const rm = await get();
      const drift = rm.status?.drift;
      saw({ operator: drift, pods: joined });
      const psiOf = new Map(drift?.features.map((f) => [f.name, f.psi]));
      const same = joined.features.every((f) => Math.abs((psiOf.get(f.name) ?? Infinity) - f.psi) <= PSI_TOLERANCE);
      return drift?.rows === joined.rows && drift.pods === joined.pods && same && rm;
    }, { timeoutMs: READ_PERIOD_MS + 15_000, intervalMs: 500 });
  }

  it('passes windowRows to the pods and reports InputDrift Unknown (TooFewRows) before they have scored minRows rows', async () => {
    const joined = await joinedDrift(await stablePods());
    expect(Object.values(joined.windows).map((w) => w.capacity)).to.deep.equal(Array<number>(REPLICAS).fill(WINDOW_ROWS));
    const rm = await eventually('InputDrift Unknown (TooFewRows)', async (saw) => {
      const current = await get();
      saw(current.status?.conditions);
      return inputDrift(current)?.reason === 'TooFewRows' && current;
    }, { timeoutMs: READ_PERIOD_MS + 15_000, intervalMs: 500 });
    expect(inputDrift(rm)?.status).to.equal('Unknown');
  });

  it(`never raises InputDrift over ${WINDOWS} windows of patients drawn like the training data, one seed a window`, async () => {
    // kube-proxy programs each pod's endpoint on its own; wait until both get rows through the Service.
    await eventually('every pod to score rows sent through the Service', async (saw) => {
      await sendRows(url, wardPatients(1), 200);
      const joined = await joinedDrift(await stablePods());
      saw(joined.windows);
      return Object.values(joined.windows).every((w) => w.rows > 0);
    }, { timeoutMs: 30_000, intervalMs: 1000 });
    const judged: Judged[] = [];
    for (let seed = 101; seed < 101 + WINDOWS; seed++) {
      await sendRows(url, wardPatients(seed), ROWS_PER_WINDOW);
      const joined = await joinedDrift(await stablePods());
      expect(Object.values(joined.windows).map((w) => w.rows), `window of seed ${seed}: every pod's window full`).to.deep.equal(Array<number>(REPLICAS).fill(WINDOW_ROWS));
      const rm = await waitJudged(joined);
      const c = inputDrift(rm);
      const worst = rm.status?.drift?.features[0] ?? { name: 'none', psi: NaN };
      judged.push({ seed, inputDrift: c?.status ?? 'absent', ...(c?.reason ? { reason: c.reason } : {}), worst: { name: worst.name, psi: worst.psi } });
    }
    const raised = judged.filter((j) => j.inputDrift === 'True');
    const worst = judged.map((j) => j.worst.psi);
    console.log(`      training-distribution traffic: ${WINDOWS} windows (${REPLICAS} pods × ${WINDOW_ROWS} rows, seeds 101–${100 + WINDOWS}); InputDrift True in ${raised.length} `
      + `(false-positive rate ${raised.length}/${WINDOWS}); worst feature's PSI per window: min ${Math.min(...worst).toFixed(2)}, median ${median(worst).toFixed(2)}, `
      + `max ${Math.max(...worst).toFixed(2)} (threshold ${THRESHOLD}); worst features: ${[...new Set(judged.map((j) => j.worst.name))].join(', ')}`);
    expect(raised, JSON.stringify(judged)).to.deep.equal([]);
    expect(judged.every((j) => j.inputDrift === 'False' && j.reason === 'NoDrift'), JSON.stringify(judged)).to.be.true;
    expect((await eventLines(bed, NAME)).filter((l) => l.includes('InputDriftDetected'))).to.deep.equal([]);
  });

  /** Polls the RiskModel while `stream` runs until `done` holds; stops the stream and resolves with the RiskModel, the time taken and the rows sent by then. */
  async function streamUntil(stream: Stream, what: string, done: (rm: DriftRiskModel) => boolean): Promise<{ rm: DriftRiskModel; ms: number; rows: number }> {
    const started = Date.now();
    try {
      const rm = await eventually(what, async (saw) => {
        const current = await get();
        saw({ conditions: current.status?.conditions, drift: current.status?.drift, rowsSent: stream.sent() });
        return done(current) && current;
      }, { timeoutMs: WITHIN_MS + 30_000, intervalMs: 250 });
      return { rm, ms: Date.now() - started, rows: stream.sent() };
    } finally {
      await stream.stop();
    }
  }

  it('raises InputDrift naming oxygenSaturation within one window and one reading period when SpO2 reads 4 points low, with a Warning event, and leaves Ready True', async () => {
    const stream = startStream(url, wardPatients(301, -4), STREAM_ROWS_PER_SECOND);
    const { rm, ms, rows } = await streamUntil(stream, 'InputDrift True', (r) => inputDrift(r)?.status === 'True');
    const c = inputDrift(rm);
    console.log(`      SpO2 −4: InputDrift True after ${(ms / 1000).toFixed(1)} s and ${rows} shifted rows at ${STREAM_ROWS_PER_SECOND} rows/s (deadline ${WITHIN_MS / 1000} s: `
      + `${REPLICAS * WINDOW_ROWS} rows + ${READ_PERIOD_MS / 1000} s period + 5 s); ${c?.message}`);
    expect(ms, 'time to InputDrift True').to.be.at.most(WITHIN_MS);
    expectOxygenDrift(rm);
    expect(condition(rm, 'Ready')?.status).to.equal('True');
    expect(condition(rm, 'Degraded')?.status).to.not.equal('True');
    await waitEvent(bed, NAME, /^Warning InputDriftDetected: /);
  });

  it('clears InputDrift (NoDrift) with an InputDriftCleared event once patients drawn like the training data return', async () => {
    const stream = startStream(url, wardPatients(401), STREAM_ROWS_PER_SECOND);
    const { rm, ms, rows } = await streamUntil(stream, 'InputDrift False (NoDrift)', (r) => inputDrift(r)?.reason === 'NoDrift');
    console.log(`      normal traffic again: InputDrift False after ${(ms / 1000).toFixed(1)} s and ${rows} rows; ${inputDrift(rm)?.message}`);
    expect(ms, 'time to InputDrift False').to.be.at.most(WITHIN_MS);
    expect(inputDrift(rm)?.status).to.equal('False');
    expect(rm.status?.drift?.since, 'status.drift.since').to.equal(undefined);
    expect(condition(rm, 'Ready')?.status).to.equal('True');
    await waitEvent(bed, NAME, /^Normal InputDriftCleared: /);
  });
});

/** InputDrift True naming oxygenSaturation as the worst feature, and since when. */
function expectOxygenDrift(rm: DriftRiskModel): void {
  const c = condition(rm, 'InputDrift');
  const worst = rm.status?.drift?.features[0];
  expect(c?.reason).to.equal('DriftDetected');
  expect(c?.message).to.match(/oxygenSaturation \d/);
  expect(worst?.name).to.equal('oxygenSaturation');
  expect(worst?.psi).to.be.above(THRESHOLD);
  expect(rm.status?.drift?.since, 'status.drift.since').to.be.a('string');
}
