// The live status panel: polls GET /stats once a second (never two polls at once) and
// announces only changes of health or readiness, not every refresh.
import { getJson } from './api.js';
import { byId, setText } from './dom.js';
import { formatCount, formatMs, formatUptime } from './format.js';

const INTERVAL_MS = 1000;

function setState(id, state, text) {
  const node = byId(id);
  node.dataset.state = state;
  setText(node, text);
}

function render(stats) {
  setState('st-health', stats.healthy ? 'ok' : 'bad', stats.healthy ? 'Healthy' : 'Unhealthy');
  setState('st-ready', stats.ready ? 'ok' : 'warn', stats.ready ? 'Ready' : 'Not ready');
  setText(byId('st-version'), stats.modelVersion ?? '–');
  setText(byId('st-uptime'), formatUptime(stats.uptimeSeconds));
  setText(byId('st-requests'), formatCount(stats.requestsServed));
  setText(byId('st-p50'), formatMs(stats.latencyMs?.p50));
  setText(byId('st-p99'), formatMs(stats.latencyMs?.p99));
}

function renderUnreachable(reason) {
  setState('st-health', 'bad', 'Unreachable');
  setState('st-ready', 'bad', 'Unknown');
  byId('st-health').title = reason;
}

/**
 * Starts polling; `onChange(summary)` is called with a one-line description whenever
 * health or readiness changes (and on the first answer). Returns a function that stops it.
 */
export function startStatusPolling(onChange) {
  let stopped = false;
  let timer;
  let last = '';

  async function poll() {
    const started = performance.now();
    let summary;
    try {
      const { ok, status, body } = await getJson('stats', INTERVAL_MS * 2);
      if (!ok || !body) throw new Error(`HTTP ${status}`);
      render(body);
      summary = `Service ${body.healthy ? 'healthy' : 'unhealthy'}, ${body.ready ? 'ready' : 'not ready'}.`;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      renderUnreachable(reason);
      summary = `Inference server unreachable (${reason}).`;
    }
    setText(byId('st-updated'), new Date().toLocaleTimeString('en-GB'));
    if (summary !== last) {
      last = summary;
      onChange(summary);
    }
    if (!stopped) timer = setTimeout(() => void poll(), Math.max(0, INTERVAL_MS - (performance.now() - started)));
  }

  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
