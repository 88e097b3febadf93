// ANSI escape sequences for redrawing a full-screen view in place, kept apart from the
// pure renderers so those stay plain text.

const ESC = '\u001b[';
export const HIDE_CURSOR = `${ESC}?25l`;
export const SHOW_CURSOR = `${ESC}?25h`;
export const CLEAR_SCREEN = `${ESC}2J${ESC}H`;

/** A terminal's size in character cells. */
export interface ScreenSize {
  columns: number;
  rows: number;
}

/**
 * The bytes that replace the previous frame with `text`: cursor home, each line followed
 * by clear-to-end-of-line, then clear below. A frame must never scroll the terminal (that
 * breaks drawing from the home position), so lines are cut to the width and only the
 * first `rows - 1` are drawn, the last of them replaced by a note of how many were left
 * out. Pure.
 */
export function frame(text: string, screen: ScreenSize): string {
  const lines = text.split('\n');
  const room = Math.max(1, Math.floor(screen.rows) - 1);
  const shown = lines.length <= room ? lines : [...lines.slice(0, room - 1), `… ${lines.length - room + 1} more lines (enlarge the window)`];
  return `${ESC}H${shown.map((line) => `${cut(line, screen.columns)}${ESC}K`).join('\n')}\n${ESC}J`;
}

function cut(line: string, columns: number): string {
  const chars = [...line];
  const width = Math.max(1, Math.floor(columns));
  return chars.length <= width ? line : `${chars.slice(0, width - 1).join('')}…`;
}
