// The load-test panel: reads the plan from its form, drives POST /predict from this
// browser with a pool of fetch loops, and shows live counters and a throughput/latency chart.
import { getExamples, sendPredict } from './api.js';
import { drawChart } from './chart.js';
import { byId, setText } from './dom.js';
import { formatCount, formatMs } from './format.js';
import { parsePlan, startLoad } from './loadtest.js';
import { RollingWindow, latencySummary } from './stats.js';

const SAMPLE_MS = 500;
const COUNTER_MS = 200;
const BODY_POOL = 1000;
const EMPTY_CHART = 'Start a load test to see throughput and latency';
const PLAN_FIELDS = ['total', 'rate', 'duration', 'concurrency'];

const STOP_REASONS = {
  completed: 'Finished',
  stopped: 'Stopped',
  'time-limit': 'Stopped at the time limit',
  unreachable: 'Stopped: server unreachable',
};

function readRaw() {
  const raw = { mode: byId('lt-form').elements.namedItem('lt-mode').value };
  for (const f of PLAN_FIELDS) raw[f] = byId(`lt-${f}`).value.trim();
  return raw;
}

function showPlanErrors(errors) {
  for (const f of PLAN_FIELDS) {
    const slot = byId(`lt-error-${f}`);
    const error = errors.find((e) => e.field === f);
    slot.hidden = !error;
    setText(slot, error ? error.message : '');
    if (error) byId(`lt-${f}`).setAttribute('aria-invalid', 'true');
    else byId(`lt-${f}`).removeAttribute('aria-invalid');
  }
  if (errors.length > 0) byId(`lt-${errors[0].field}`).focus();
}

function syncMode() {
  const mode = readRaw().mode;
  byId('lt-total-group').hidden = mode !== 'total';
  byId('lt-rate-group').hidden = mode !== 'rate';
}

function renderCounters(counters, recent) {
  const live = recent.summary(performance.now());
  setText(byId('lt-sent'), formatCount(counters.sent));
  setText(byId('lt-ok'), formatCount(counters.ok));
  setText(byId('lt-errors'), formatCount(counters.errors));
  setText(byId('lt-inflight'), formatCount(counters.inFlight));
  setText(byId('lt-rps'), formatCount(live.rps));
  setText(byId('lt-p50'), formatMs(live.p50));
  setText(byId('lt-p99'), formatMs(live.p99));
  byId('lt-errors-card').dataset.state = counters.errors > 0 ? 'bad' : '';
}

function describeErrors(errorsByKind) {
  const parts = Object.entries(errorsByKind).map(([kind, n]) => `${kind} × ${formatCount(n)}`);
  return parts.length > 0 ? ` Errors: ${parts.join(', ')}.` : '';
}

function summarise(result) {
  const { p50, p99 } = latencySummary(result.latencies);
  const seconds = result.elapsedMs / 1000;
  const rate = seconds > 0 ? result.ok / seconds : 0;
  return `${STOP_REASONS[result.stoppedBy]}: ${formatCount(result.sent)} requests in ${seconds.toFixed(1)} s, ` +
    `${formatCount(result.ok)} OK (${formatCount(rate)} req/s), p50 ${formatMs(p50)}, p99 ${formatMs(p99)}.` +
    describeErrors(result.errorsByKind);
}

/** Wires the load-test panel; each run sends patients the server's generator made (GET /examples). */
export function createLoadPanel() {
  const form = byId('lt-form');
  const startButton = byId('lt-start');
  const stopButton = byId('lt-stop');
  const canvas = byId('lt-chart');
  let points = [];
  let controller = null;

  const redraw = () => drawChart(canvas, points, EMPTY_CHART);
  const setState = (state, text) => {
    byId('lt-state').dataset.state = state;
    setText(byId('lt-state'), text);
  };

  /** The request bodies of a run: patients from the server's generator; null (and said so) when it cannot give them. */
  async function fetchBodies(plan) {
    try {
      const { patients } = await getExamples(Math.min(BODY_POOL, plan.maxRequests));
      return patients.map((patient) => JSON.stringify(patient));
    } catch (err) {
      setState('stopped', `Cannot get patients from the server (${err instanceof Error ? err.message : String(err)})`);
      return null;
    }
  }

  async function run(plan) {
    controller = new AbortController();
    startButton.disabled = true;
    setState('running', 'Preparing patients…');
    const bodies = await fetchBodies(plan);
    if (!bodies) {
      startButton.disabled = false;
      controller = null;
      return;
    }
    let next = 0;
    const recent = new RollingWindow(1000);
    points = [];
    setState('running', 'Running…');
    setText(byId('lt-summary'), '');
    stopButton.disabled = false;
    const started = performance.now();
    const { counters, done } = startLoad(plan, {
      send: () => sendPredict(bodies[next++ % bodies.length]),
      signal: controller.signal,
      onResult: ({ t, latencyMs }) => recent.add(t, latencyMs),
    });
    const sample = () => {
      const s = recent.summary(performance.now());
      points.push({ t: (performance.now() - started) / 1000, rps: s.rps, p50: s.p50, p99: s.p99 });
      redraw();
    };
    const sampler = setInterval(sample, SAMPLE_MS);
    const counterTimer = setInterval(() => renderCounters(counters, recent), COUNTER_MS);
    try {
      const result = await done;
      sample();
      setState(result.stoppedBy === 'completed' ? 'finished' : 'stopped', STOP_REASONS[result.stoppedBy]);
      setText(byId('lt-summary'), summarise(result));
    } finally {
      clearInterval(sampler);
      clearInterval(counterTimer);
      renderCounters(counters, recent);
      startButton.disabled = false;
      stopButton.disabled = true;
      controller = null;
    }
  }

  form.addEventListener('change', syncMode);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (controller) return;
    const { plan, errors } = parsePlan(readRaw());
    showPlanErrors(errors ?? []);
    if (plan) void run(plan);
  });
  stopButton.addEventListener('click', () => controller?.abort());
  new ResizeObserver(redraw).observe(canvas);
  syncMode();
  startButton.disabled = false;
  redraw();
}
