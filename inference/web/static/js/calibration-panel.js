// The model panel's calibration part: how often the model's stated confidence is right
// (reliability table, expected calibration error, Brier score), beside the raw-feature
// baseline trained in the same run and the labelling rule's own accuracy on the same rows,
// the best any model can reach on these labels. All figures come from the model card.
import { byId, el, setText } from './dom.js';
import { formatCount, formatPercent } from './format.js';

const score = (x) => (typeof x === 'number' ? x.toFixed(3) : '–');
const percent = (x) => (typeof x === 'number' ? formatPercent(x) : '–');

function reliabilityRows(bins) {
  return bins
    .map((bin, i) => ({ bin, i }))
    .filter(({ bin }) => bin.count > 0)
    .map(({ bin, i }) => el('tr', { dataset: { testid: `reliability-row-${i}` } },
      el('td', {}, `${formatPercent(bin.lower, 0)}–${formatPercent(bin.upper, 0)}`),
      el('td', {}, formatCount(bin.count)),
      el('td', {}, percent(bin.meanConfidence)),
      el('td', {}, percent(bin.accuracy))));
}

function describe(calibration) {
  if (!calibration) return 'Not calibrated: this artifact predates calibration (format v1). Retrain with npm run train to get it.';
  return `Fitted on ${formatCount(calibration.validationRows)} validation rows held out of training: temperature ${calibration.temperature.toFixed(3)}, floor ${formatPercent(calibration.floor)}.`;
}

/** Fills the calibration part of the model panel from the model card. */
export function showCalibration(card) {
  const m = card.metrics ?? {};
  setText(byId('cal-method'), describe(card.calibration));
  setText(byId('cal-accuracy'), percent(m.accuracy));
  setText(byId('cal-ece'), score(m.expectedCalibrationError));
  setText(byId('cal-brier'), score(m.brierScore));
  setText(byId('cal-baseline-accuracy'), percent(m.baseline?.accuracy));
  setText(byId('cal-baseline-ece'), score(m.baseline?.expectedCalibrationError));
  setText(byId('cal-baseline-brier'), score(m.baseline?.brierScore));
  setText(byId('cal-ceiling-accuracy'), percent(m.ceiling?.accuracy));
  const rows = reliabilityRows(Array.isArray(m.reliability) ? m.reliability : []);
  byId('reliability').replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: 4 }, 'No reliability table in this artifact.'))]));
}
