// Entry point: fetch the model card and the example patients (retrying until the server is
// ready), then build the prediction form and the load-test panel; the status panel runs from the start.
import { getExamples, getJson } from './api.js';
import { byId, el, setText } from './dom.js';
import { formatCount, formatPercent } from './format.js';
import { showCalibration } from './calibration-panel.js';
import { createLoadPanel } from './load-panel.js';
import { createPredictPanel } from './predict-panel.js';
import { startDriftPolling } from './drift-panel.js';
import { startStatusPolling } from './status-panel.js';

const CARD_RETRY_MS = 2000;

function announce(text) {
  setText(byId('announcer'), text);
}

function isCard(body) {
  return Array.isArray(body?.features) && Array.isArray(body?.classes) && typeof body?.version === 'string';
}

async function loadCard() {
  for (;;) {
    try {
      const { ok, status, body } = await getJson('model');
      if (ok && isCard(body)) return { card: body, examples: await getExamples() };
      setText(byId('card-status'), `Waiting for the model (GET /model answered HTTP ${status})…`);
    } catch (err) {
      setText(byId('card-status'), `Waiting for the inference server (${err instanceof Error ? err.message : String(err)})…`);
    }
    await new Promise((resolve) => setTimeout(resolve, CARD_RETRY_MS));
  }
}

function showCard(card) {
  setText(byId('model-version'), card.version);
  const accuracy = card.metrics?.accuracy;
  setText(byId('model-accuracy'), typeof accuracy === 'number' ? formatPercent(accuracy) : '–');
  setText(byId('model-test-size'), formatCount(card.metrics?.testSize));
  const perClass = card.metrics?.perClass ?? {};
  byId('model-classes').replaceChildren(...card.classes.map((cls) => el('tr', {},
    el('td', {}, el('span', { class: `dot risk-${cls}` }), cls),
    el('td', {}, typeof perClass[cls]?.precision === 'number' ? formatPercent(perClass[cls].precision) : '–'),
    el('td', {}, typeof perClass[cls]?.recall === 'number' ? formatPercent(perClass[cls].recall) : '–'))));
  byId('card-status').hidden = true;
}

startStatusPolling(announce);
startDriftPolling();
const { card, examples } = await loadCard();
showCard(card);
showCalibration(card);
createPredictPanel(card, examples);
createLoadPanel();
document.body.dataset.ready = 'true';
