// The README's command blocks as a test runs them (test/e2e/readme.test.ts), so the text a user
// copies is the text that is tested. Pure.
//
// The conventions of a ```sh block under a README heading, each line read as a user types it:
// - Blank lines and lines that start with `#` are not run. A trailing `# comment` is part of the
//   line (bash ignores it).
// - `(Ctrl-C to stop)` in a line's comment: a long-running command in the foreground (the
//   from-source operator, `npm run watch`). The user stops it with Ctrl-C when they have seen
//   enough; the test runs it for a bounded time, requires it to be still running, then sends
//   SIGINT to its process group, as Ctrl-C does.
// - A line ending in `&` (before any comment): a background job (`kubectl port-forward`), job
//   %1, %2, … in order. A `kill %N` line stops job N; the test does so by the job's process
//   group, and stops any job still running when the block ends.
// - Every other line must exit 0. `export NAME=value` carries over to the following lines.

/** One runnable line of a block. */
export type Step =
  | { kind: 'run'; line: string; command: string }
  | { kind: 'foreground'; line: string; command: string }
  | { kind: 'background'; line: string; command: string; job: number }
  | { kind: 'kill'; line: string; jobs: number[] };

interface Fence { lang: string; lines: string[] }

/** The fences after a heading, until the next heading of level 1 or 2 outside a fence. */
function fencesAfter(lines: readonly string[]): Fence[] {
  const fences: Fence[] = [];
  let open: Fence | undefined;
  for (const line of lines) {
    const marker = /^```(\S*)\s*$/.exec(line.trim());
    if (open !== undefined) {
      if (marker?.[1] === '') open = undefined;
      else open.lines.push(line);
    } else if (/^#{1,2} /.test(line)) break;
    else if (marker) fences.push((open = { lang: marker[1] ?? '', lines: [] }));
  }
  return fences;
}

/**
 * The fenced blocks of `lang` under the heading `## title`, up to the next heading of level 1 or 2
 * (a `#` line inside a fence is a comment, not a heading). Throws when the section is missing.
 */
export function blocksUnder(markdown: string, title: string, lang = 'sh'): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${title}`);
  if (start === -1) throw new Error(`README.md has no section "## ${title}"`);
  return fencesAfter(lines.slice(start + 1)).filter((f) => f.lang === lang).map((f) => f.lines.join('\n'));
}

/** Splits a line into its command and its trailing comment: the first ` #` outside quotes. */
export function splitComment(line: string): { command: string; comment: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) return { command: line.slice(0, i).trim(), comment: line.slice(i + 1).trim() };
  }
  return { command: line.trim(), comment: '' };
}

const CTRL_C = '(Ctrl-C to stop)';
const KILL = /^kill((?:\s+%\d+)+)$/;

/** A block's runnable lines, classified by the conventions above. Throws on a `kill %N` of an unknown job. */
export function stepsOf(block: string): Step[] {
  const steps: Step[] = [];
  let jobs = 0;
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const { command, comment } = splitComment(line);
    const kill = KILL.exec(command);
    if (kill) {
      const numbers = (kill[1] ?? '').trim().split(/\s+/).map((j) => Number(j.slice(1)));
      const unknown = numbers.find((n) => n < 1 || n > jobs);
      if (unknown !== undefined) throw new Error(`"${line}" stops job %${unknown}, but only ${jobs} background job(s) started before it`);
      steps.push({ kind: 'kill', line, jobs: numbers });
    } else if (/(^|[^&])&$/.test(command)) steps.push({ kind: 'background', line, command: command.slice(0, -1).trim(), job: ++jobs });
    else if (comment.includes(CTRL_C)) steps.push({ kind: 'foreground', line, command });
    else steps.push({ kind: 'run', line, command });
  }
  return steps;
}

/** The npm script a command line runs (`npm run demo …` → demo, `npm test` → test), or undefined. */
export function npmScriptOf(command: string): string | undefined {
  const match = /^npm\s+(?:run(?:-script)?\s+([\w:.-]+)|(test|start|stop|restart))(\s|$)/.exec(command.trim());
  return match?.[1] ?? match?.[2];
}

/**
 * The command of a commented-out alternative in a block (`# LEAD: command   # comment`), as a
 * step, or undefined when the block has no such line. Lets a README offer a second way (the
 * operator from source) that a user does not run top to bottom but the test still runs.
 */
export function alternativeStep(block: string, lead: string): Step | undefined {
  const prefix = `# ${lead}:`;
  const line = block.split('\n').map((l) => l.trim()).find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : stepsOf(line.slice(prefix.length).trim())[0];
}
