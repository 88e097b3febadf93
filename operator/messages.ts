// Error text for logs, events and status messages.

/** The message of anything thrown: an Error's message, else the value as text. Never throws. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}
