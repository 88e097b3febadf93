// The prediction form: one field a feature of the model card (so labels, units and ranges
// are always the server's own), example patients, and the result with the reasons behind it.
import { postPredict } from './api.js';
import { bandPoints, pointsText } from './bands.js';
import { byId, el, setText } from './dom.js';
import { featureLabel, formatBound, formatPercent } from './format.js';
import { EXAMPLES } from './vitals.js';

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

/** Builds the form from the model card and wires submit, examples and result rendering. */
export function createPredictPanel(card) {
  const features = card.features;
  const form = byId('predict-form');
  const result = byId('result');
  const summary = byId('form-errors');
  const submit = byId('predict-submit');
  byId('fields').replaceChildren(...features.map(fieldFor));
  form.removeAttribute('aria-busy');
  for (const button of [submit, byId('example-healthy'), byId('example-critical')]) button.disabled = false;

  function clearErrors() {
    summary.hidden = true;
    summary.replaceChildren();
    for (const { name } of features) showFieldError(name, null);
  }

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

  function showErrors(title, details = []) {
    // An older assessment next to a rejected form would read as the answer to it.
    result.replaceChildren(el('p', { class: 'muted placeholder' }, 'No assessment: the input was not accepted. See the form.'));
    result.dataset.state = 'error';
    const items = details.map((d) => {
      const placed = showFieldError(d.field, d.message);
      const text = `${featureLabel(d.field)}: ${d.message}`;
      return el('li', {}, placed ? el('a', { href: `#f-${d.field}` }, text) : text);
    });
    summary.replaceChildren(el('p', { class: 'summary-title' }, title), items.length > 0 ? el('ul', {}, ...items) : null);
    summary.hidden = false;
    const first = details.map((d) => document.getElementById(`f-${d.field}`)).find(Boolean);
    first?.focus();
  }

  function showResult(body, vitals) {
    const { risk, confidence, probabilities, contributions } = body;
    const entries = Object.entries(contributions).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
    const scale = Math.max(0, ...entries.map(([, v]) => Math.abs(v)));
    result.replaceChildren(
      el('div', { class: 'result-head' },
        el('span', { class: `risk-badge risk-${risk}`, dataset: { testid: 'result-risk' } }, risk),
        el('span', { class: 'result-caption' }, 'risk · confidence ',
          el('strong', { dataset: { testid: 'result-confidence' } }, formatPercent(confidence)))),
      el('h3', {}, 'Probability by class'),
      el('div', { class: 'probs', dataset: { testid: 'probabilities' } },
        ...card.classes.map((cls) => probabilityRow(cls, probabilities[cls] ?? 0))),
      el('h3', {}, `Why: contributions to the ${risk} score`),
      el('p', { class: 'explain' },
        `Each vital's share of the score behind “${risk}” (the shares' sizes add up to 100%). ` +
        `Red pushed this patient towards ${risk}, green away from it.`),
      el('ol', { class: 'contribs', dataset: { testid: 'contributions' } },
        ...entries.map(([name, value]) => contributionRow(name, value, scale, pointsText(bandPoints(card.transform, name, vitals[name]))))),
      el('p', { class: 'model-line' }, 'Model ', el('code', {}, body.modelVersion)),
    );
    result.dataset.state = 'done';
  }

  function showRejection({ status, body }) {
    const details = Array.isArray(body?.details) ? body.details : [];
    if (status === 400 && details.length > 0) {
      const n = details.length;
      showErrors(`The server did not accept ${n === 1 ? 'this value' : `these ${n} values`}:`, details);
    } else {
      showErrors(`The server answered HTTP ${status}: ${body?.error ?? 'no details'}.`, details);
    }
  }

  async function onSubmit(event) {
    event.preventDefault();
    clearErrors();
    submit.disabled = true;
    result.setAttribute('aria-busy', 'true');
    try {
      const vitals = readVitals(features);
      const response = await postPredict(vitals);
      if (response.ok) showResult(response.body, vitals);
      else showRejection(response);
    } catch (err) {
      showErrors(`Cannot reach the inference server (${err instanceof Error ? err.message : String(err)}).`);
    } finally {
      submit.disabled = false;
      result.removeAttribute('aria-busy');
    }
  }

  function fill(example) {
    for (const { name } of features) {
      const input = byId(`f-${name}`);
      if (name in example) input.value = String(example[name]);
    }
    form.requestSubmit();
  }

  form.addEventListener('submit', (event) => void onSubmit(event));
  form.addEventListener('input', (event) => {
    const name = event.target?.name;
    if (name) showFieldError(name, null);
  });
  byId('example-healthy').addEventListener('click', () => fill(EXAMPLES.healthy));
  byId('example-critical').addEventListener('click', () => fill(EXAMPLES.critical));
}
