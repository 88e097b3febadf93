/** Console narration of the demo: numbered steps, what is real versus simulated, results. */
const tty = process.stdout.isTTY === true;
const paint = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = paint('1');
export const dim = paint('2');
export const green = paint('32');
export const red = paint('31');
export const cyan = paint('36');

/** Steps of the quick --kwok run; the real-node run adds the canary and the rollback. */
export const KWOK_STEPS = 8;
export const REAL_NODE_STEPS = 10;

let total = REAL_NODE_STEPS;
let current = '';

/** Sets how many steps this run has, for the `[n/total]` headers. */
export function setTotalSteps(n: number): void {
  total = n;
}

/** The step being run, as `N/TOTAL title` ('' before the first). */
export function currentStep(): string {
  return current;
}

/** Prints a step header and its one- or two-line explanation. */
export function step(n: number, title: string, ...explain: string[]): void {
  current = `${n}/${total} ${title}`;
  console.log(`\n${bold(cyan(`[${n}/${total}] ${title}`))}`);
  for (const line of explain) console.log(`      ${dim(line)}`);
}

export function ok(message: string): void {
  console.log(`      ${green('✓')} ${message}`);
}

export function info(message: string): void {
  console.log(`      ${message}`);
}

/** Indents a block of command output under the current step. */
export function block(text: string): void {
  for (const line of text.trimEnd().split('\n')) console.log(`        ${line}`);
}

export function fail(message: string): void {
  console.error(`\n${red(bold('✗'))} ${message}`);
}
