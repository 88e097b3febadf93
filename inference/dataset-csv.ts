// The training data as CSV (one column per feature, then `label` and `split`), so the
// evaluation can be reproduced with another tool, e.g. bench/accuracy-sklearn.py.

import type { Split } from './training.js';
import { FEATURE_NAMES } from './schema.js';

/** CSV text with a header row; train rows first, then test rows. */
export function splitToCsv(split: Split): string {
  const lines = [[...FEATURE_NAMES, 'label', 'split'].join(',')];
  for (const [name, rows] of [['train', split.train], ['test', split.test]] as const) {
    for (const r of rows) lines.push([...FEATURE_NAMES.map((f) => String(r.vitals[f])), r.label, name].join(','));
  }
  return `${lines.join('\n')}\n`;
}
