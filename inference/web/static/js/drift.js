// Reading a population stability index for the drift panel. Pure.

/** The usual PSI reading: below 0.1 no significant shift, 0.1 to 0.25 moderate, above 0.25 significant. */
export const PSI_MODERATE = 0.1;
export const PSI_SIGNIFICANT = 0.25;

/** {state: 'ok' | 'warn' | 'bad' | 'none', text} for a PSI, or for null (window still empty). */
export function psiReading(psi) {
  if (typeof psi !== 'number' || !Number.isFinite(psi)) return { state: 'none', text: 'no rows yet' };
  const value = `PSI ${psi.toFixed(3)}`;
  if (psi < PSI_MODERATE) return { state: 'ok', text: `${value} · stable` };
  if (psi <= PSI_SIGNIFICANT) return { state: 'warn', text: `${value} · moderate shift` };
  return { state: 'bad', text: `${value} · significant shift` };
}

/** Labels of a feature's bins from its interior edges: "< 72", "72–77", …, "≥ 118". */
export function binLabels(edges) {
  if (edges.length === 0) return ['all'];
  return [`< ${edges[0]}`, ...edges.slice(1).map((e, i) => `${edges[i]}–${e}`), `≥ ${edges[edges.length - 1]}`];
}
