// The model's early-warning bands as the page reads them from the model card: the same
// definition the server scores with (the artifact's transform), so the explanation can say
// how far out of band each vital is. Pure.

/**
 * Points of the first band whose upper bound (inclusive; null: none) is at or above `value`,
 * under the card's transform; null for a raw-feature model or an unknown vital.
 */
export function bandPoints(transform, name, value) {
  const table = transform?.kind === 'early-warning-points' ? transform.bands?.[name] : undefined;
  if (!Array.isArray(table) || !Number.isFinite(value)) return null;
  for (const [upper, points] of table) if (upper === null || value <= upper) return points;
  return null;
}

/** "0 band points", "1 band point"; null stays null. */
export function pointsText(points) {
  return points === null ? null : `${points} band point${points === 1 ? '' : 's'}`;
}
