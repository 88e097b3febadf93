// Tolerant readers of API objects as plain JSON, for the scripts that print what they read
// (npm run watch, npm run rollback): a field of the wrong type reads as absent.

/** `value` as an object, or {} when it is not one (arrays included). */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** `value` when it is a non-empty string. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
