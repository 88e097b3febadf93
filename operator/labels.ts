// The labels of everything a RiskModel owns, in one place below desired.ts and snapshots.ts.

import { APP_NAME, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY } from './api.js';

/** Labels every child carries; the first two also select the pods. */
export function labelsFor(name: string): Record<string, string> {
  return { ...selectorFor(name), [LABEL_MANAGED_BY]: MANAGED_BY };
}

/** The pod selector of the Deployment and the Service. Immutable once the Deployment exists. */
export function selectorFor(name: string): Record<string, string> {
  return { [LABEL_NAME]: APP_NAME, [LABEL_INSTANCE]: name };
}
