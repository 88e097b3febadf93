// Display formatting shared by the panels. Pure.

const LABELS = {
  heartRate: 'Heart rate',
  systolicBP: 'Systolic blood pressure',
  diastolicBP: 'Diastolic blood pressure',
  temperature: 'Body temperature',
  oxygenSaturation: 'Oxygen saturation (SpO₂)',
};

/** A readable label for a feature name; unknown names are split from camelCase. */
export function featureLabel(name) {
  if (LABELS[name]) return LABELS[name];
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** 0.1234 → "12.3%". */
export function formatPercent(fraction, digits = 1) {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A latency in ms with precision that suits its size; "–" when unknown. */
export function formatMs(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** Seconds → "4 s", "3 min 05 s", "2 h 07 min", "3 d 4 h". */
export function formatUptime(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.floor(seconds);
  const pad = (n) => String(n).padStart(2, '0');
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** An integer with thousands separators. */
export function formatCount(n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

/** A range bound as written in the form's hint: no trailing zeros. */
export function formatBound(n) {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(3)));
}
