// The prediction form: one field a feature of the model card (so labels, units and ranges
// are always the server's own), the server's example patients, and the result with the
// reasons behind it.
import { postPredict } from './api.js';
import { bandPoints, pointsText } from './bands.js';
import { byId, el, setText } from './dom.js';
import { featureLabel, formatBound, formatPercent } from './format.js';

function fieldFor(feature) {
  const { name, unit } = feature;
  const label = featureLabel(name);
  return el(
    'div',
    { class: 'field', dataset: { field: name } },
    el('label', { for: `f-${name}` }, label, ' ', el('span', { class: 'unit' }, `(${unit})`)),
    el(
      'div',
      { class: 'input-wrap' },
      el('input', {
        id: `f-${name}`,
        name,
        type: 'number',
        step: 'any',
        inputmode: 'decimal',
        autocomplete: 'off',
        required: true,
        'aria-describedby': `hint-${name} error-${name}`,
        dataset: { testid: `input-${name}` },
      }),
      el('span', { class: 'suffix', 'aria-hidden': 'true' }, unit),
    ),
    el('p', { class: 'hint', id: `hint-${name}`, dataset: { testid: `range-${name}` } },
      `Allowed ${formatBound(feature.min)}–${formatBound(feature.max)} ${unit}`),
    el('p', { class: 'field-error', id: `error-${name}`, dataset: { testid: `error-${name}` }, hidden: true }),
  );
}

function readVitals(features) {
  const vitals = {};
  for (const { name } of features) {
    const raw = byId(`f-${name}`).value.trim();
    // An empty or unparsable field is left out, so the server reports it by name.
    if (raw !== '') vitals[name] = Number(raw);
  }
  return vitals;
}

function probabilityRow(cls, p) {
  const pct = formatPercent(p);
  return el(
    'div',
    { class: 'prob-row', dataset: { testid: `prob-${cls}` } },
    el('span', { class: 'prob-label' }, cls),
    el('span', { class: 'bar', role: 'img', 'aria-label': `${cls}: ${pct}` },
      el('span', { class: `bar-fill risk-${cls}`, style: { width: `${(p * 100).toFixed(2)}%` } })),
    el('span', { class: 'prob-value', dataset: { testid: `prob-value-${cls}` } }, pct),
  );
}

function contributionRow(name, value, scale, detail) {
  const width = scale > 0 ? (Math.abs(value) / scale) * 50 : 0;
  const side = value >= 0 ? 'up' : 'down';
  const signed = `${value >= 0 ? '+' : '−'}${formatPercent(Math.abs(value), 0)}`;
  return el(
    'li',
    { class: 'contrib-row', dataset: { testid: `contribution-${name}` } },
    el('span', { class: 'contrib-label' }, featureLabel(name),
      detail ? el('small', { class: 'contrib-points', dataset: { testid: `points-${name}` } }, detail) : null),
    el('span', { class: 'contrib-bar', 'aria-hidden': 'true' },
      el('span', { class: `contrib-fill ${side}`, style: { width: `${width.toFixed(2)}%` } })),
    el('span', { class: `contrib-value ${side}`, dataset: { testid: `contribution-value-${name}` } }, signed),
  );
}

/** Marks one field invalid with `message`, or clears it (null); false when the form has no such field. */
function showFieldError(name, message) {
  const input = document.getElementById(`f-${name}`);
  const slot = document.getElementById(`error-${name}`);
  if (!input || !slot) return false;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  slot.hidden = !message;
  setText(slot, message ?? '');
  return true;
}

function clearErrors(ui) {
  ui.summary.hidden = true;
  ui.summary.replaceChildren();
  for (const { name } of ui.card.features) showFieldError(name, null);
}

/** The error summary above the form, each problem also at its field, focus on the first. */
function showErrors(ui, title, details = []) {
  // An older assessment next to a rejected form would read as the answer to it.
  ui.result.replaceChildren(el('p', { class: 'muted placeholder' }, 'No assessment: the input was not accepted. See the form.'));
  ui.result.dataset.state = 'error';
  const items = details.map((d) => {
    const placed = showFieldError(d.field, d.message);
    const text = `${featureLabel(d.field)}: ${d.message}`;
    return el('li', {}, placed ? el('a', { href: `#f-${d.field}` }, text) : text);
  });
  ui.summary.replaceChildren(el('p', { class: 'summary-title' }, title), items.length > 0 ? el('ul', {}, ...items) : null);
  ui.summary.hidden = false;
  const first = details.map((d) => document.getElementById(`f-${d.field}`)).find(Boolean);
  first?.focus();
}

function showResult(ui, body, vitals) {
  const { risk, confidence, probabilities, contributions } = body;
  const entries = Object.entries(contributions).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  const scale = Math.max(0, ...entries.map(([, v]) => Math.abs(v)));
  ui.result.replaceChildren(
    el('div', { class: 'result-head' },
      el('span', { class: `risk-badge risk-${risk}`, dataset: { testid: 'result-risk' } }, risk),
      el('span', { class: 'result-caption' }, 'risk · confidence ',
        el('strong', { dataset: { testid: 'result-confidence' } }, formatPercent(confidence)))),
    el('h3', {}, 'Probability by class'),
    el('div', { class: 'probs', dataset: { testid: 'probabilities' } },
      ...ui.card.classes.map((cls) => probabilityRow(cls, probabilities[cls] ?? 0))),
    el('h3', {}, `Why: contributions to the ${risk} score`),
    el('p', { class: 'explain' },
      `Each vital's share of the score behind “${risk}” (the shares' sizes add up to 100%). ` +
      `Red pushed this patient towards ${risk}, green away from it.`),
    el('ol', { class: 'contribs', dataset: { testid: 'contributions' } },
      ...entries.map(([name, value]) => contributionRow(name, value, scale, pointsText(bandPoints(ui.card.transform, name, vitals[name]))))),
    el('p', { class: 'model-line' }, 'Model ', el('code', {}, body.modelVersion)),
  );
  ui.result.dataset.state = 'done';
}

function showRejection(ui, { status, body }) {
  const details = Array.isArray(body?.details) ? body.details : [];
  if (status === 400 && details.length > 0) {
    const n = details.length;
    showErrors(ui, `The server did not accept ${n === 1 ? 'this value' : `these ${n} values`}:`, details);
  } else {
    showErrors(ui, `The server answered HTTP ${status}: ${body?.error ?? 'no details'}.`, details);
  }
}

async function submitForm(ui) {
  clearErrors(ui);
  ui.submit.disabled = true;
  ui.result.setAttribute('aria-busy', 'true');
  try {
    const vitals = readVitals(ui.card.features);
    const response = await postPredict(vitals);
    if (response.ok) showResult(ui, response.body, vitals);
    else showRejection(ui, response);
  } catch (err) {
    showErrors(ui, `Cannot reach the inference server (${err instanceof Error ? err.message : String(err)}).`);
  } finally {
    ui.submit.disabled = false;
    ui.result.removeAttribute('aria-busy');
  }
}

function fill(ui, example) {
  for (const { name } of ui.card.features) {
    if (name in example) byId(`f-${name}`).value = String(example[name]);
  }
  ui.form.requestSubmit();
}

/** Builds the form from the model card and wires submit, the examples ({healthy, critical} from GET /examples) and result rendering. */
export function createPredictPanel(card, examples) {
  const ui = { card, form: byId('predict-form'), result: byId('result'), summary: byId('form-errors'), submit: byId('predict-submit') };
  byId('fields').replaceChildren(...card.features.map(fieldFor));
  ui.form.removeAttribute('aria-busy');
  for (const button of [ui.submit, byId('example-healthy'), byId('example-critical')]) button.disabled = false;
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitForm(ui);
  });
  ui.form.addEventListener('input', (event) => {
    const name = event.target?.name;
    if (name) showFieldError(name, null);
  });
  byId('example-healthy').addEventListener('click', () => fill(ui, examples.healthy));
  byId('example-critical').addEventListener('click', () => fill(ui, examples.critical));
}
