// The input drift panel: polls GET /drift every few seconds and draws, per feature, the
// training histogram beside the one of the rows this server scored recently (its drift
// window), with the feature's PSI and its reading. Bars are sized through the CSSOM, which
// the page's strict Content-Security-Policy allows.
import { getJson } from './api.js';
import { binLabels, psiReading } from './drift.js';
import { byId, el, setText } from './dom.js';
import { featureLabel, formatCount, formatPercent } from './format.js';

const INTERVAL_MS = 3000;

function bar(kind, id, fraction, label) {
  return el('span', {
    class: `drift-bar drift-bar-${kind}`,
    dataset: { testid: `drift-bar-${kind}-${id}`, fraction: String(fraction) },
    style: { height: `${Math.max(0, Math.min(1, fraction)) * 100}%` },
    title: `${label}: ${kind} ${formatPercent(fraction)}`,
  });
}

function featureCard(f) {
  const reading = psiReading(f.psi);
  const labels = binLabels(f.edges);
  const bins = f.training.map((t, i) => el('div', { class: 'drift-bin' }, bar('training', `${f.name}-${i}`, t, labels[i]), bar('recent', `${f.name}-${i}`, f.recent[i] ?? 0, labels[i])));
  const outside = f.outOfRange > 0 ? el('p', { class: 'muted small' }, `${formatCount(f.outOfRange)} recent rows outside the training range ${f.trainingRange.min}–${f.trainingRange.max}`) : null;
  return el('figure', { class: 'drift-feature', dataset: { testid: `drift-feature-${f.name}` } },
    el('figcaption', {}, el('span', {}, featureLabel(f.name)), el('span', { class: 'pill', dataset: { state: reading.state, testid: `drift-psi-${f.name}` } }, reading.text)),
    el('div', { class: 'drift-histogram', role: 'img', 'aria-label': `${featureLabel(f.name)}: training and recent share per bin (${labels.join(', ')}); ${reading.text}` }, ...bins),
    outside);
}

function render(report) {
  if (!report.available) {
    setText(byId('drift-status'), `Drift is not measured: ${report.reason}.`);
    byId('drift-features').replaceChildren();
    return;
  }
  const { rows, capacity } = report.window;
  const predictions = psiReading(report.predictions.psi);
  setText(byId('drift-status'), `Last ${formatCount(rows)} of up to ${formatCount(capacity)} scored rows against the training rows. Predicted classes: ${predictions.text}.`);
  byId('drift-status').dataset.rows = String(rows);
  byId('drift-features').replaceChildren(...report.features.map(featureCard));
}

/** Starts polling GET /drift; a failed poll leaves the last picture and says so. */
export function startDriftPolling() {
  async function poll() {
    try {
      const { ok, status, body } = await getJson('drift');
      if (!ok || !body) throw new Error(`HTTP ${status}`);
      render(body);
    } catch (err) {
      setText(byId('drift-status'), `Drift unavailable (${err instanceof Error ? err.message : String(err)}).`);
    }
    setTimeout(() => void poll(), INTERVAL_MS);
  }
  void poll();
}
