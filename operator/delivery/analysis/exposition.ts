// A strict parser of the Prometheus text exposition format (version 0.0.4), limited to what
// prom-client writes: `# HELP`/`# TYPE` comments, samples `name{label="value",…} value` with an
// optional timestamp. Hand-written because the one npm parser of the format
// (parse-prometheus-text-format 1.1.1) merges every series of a labelled histogram into one
// and drops labelled _sum/_count samples, which loses the `route` label the analysis needs.

/** One sample line: metric name (with any _bucket/_sum/_count suffix), labels, value. */
export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** Text that is not the exposition format; the message names the line and what is wrong. */
export class ExpositionError extends Error {
  constructor(line: number, reason: string) {
    super(`metrics text line ${line}: ${reason}`);
    this.name = 'ExpositionError';
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\\n]|\\.)*)"\s*([,}])/y;
const CLOSE = /\s*\}/y;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Readonly<Record<string, number>> = { '+Inf': Infinity, Inf: Infinity, '-Inf': -Infinity, NaN: NaN };

function unescape(raw: string): string {
  return raw.replace(/\\(.)/g, (_, c: string) => {
    if (c === 'n') return '\n';
    if (c === '\\' || c === '"') return c;
    throw new Error(`unknown escape \\${c} in a label value`);
  });
}

/** The label set starting at text[0] === '{', and the index after its '}'. */
function labelSet(text: string): { labels: Record<string, string>; end: number } {
  const labels = Object.create(null) as Record<string, string>;
  CLOSE.lastIndex = 1;
  if (CLOSE.exec(text)) return { labels, end: CLOSE.lastIndex };
  let at = 1;
  for (;;) {
    LABEL.lastIndex = at;
    const m = LABEL.exec(text);
    if (!m) throw new Error(`malformed label set ${JSON.stringify(text.slice(0, 80))}`);
    const [, name = '', value = '', next] = m;
    if (name in labels) throw new Error(`label ${name} appears twice`);
    labels[name] = unescape(value);
    at = LABEL.lastIndex;
    if (next === '}') return { labels, end: at };
    CLOSE.lastIndex = at; // a trailing comma before the brace is allowed
    if (CLOSE.exec(text)) return { labels, end: CLOSE.lastIndex };
  }
}

/** A sample value: a float, +Inf, -Inf or NaN. */
export function sampleValue(token: string): number {
  const special = SPECIAL[token];
  if (special !== undefined) return special;
  if (!FLOAT.test(token)) throw new Error(`value ${JSON.stringify(token.slice(0, 40))} is not a number`);
  return Number(token);
}

function sampleLine(line: string): Sample {
  const name = NAME.exec(line)?.[0];
  if (name === undefined) throw new Error(`expected a metric name, got ${JSON.stringify(line.slice(0, 40))}`);
  let rest = line.slice(name.length);
  let labels: Record<string, string> = Object.create(null) as Record<string, string>;
  if (rest.startsWith('{')) {
    const set = labelSet(rest);
    labels = set.labels;
    rest = rest.slice(set.end);
  }
  const tokens = rest.trim().split(/[ \t]+/);
  if (!/^[ \t]/.test(rest) || tokens.length > 2 || (tokens.length === 2 && !/^-?\d+$/.test(tokens[1] ?? ''))) {
    throw new Error(`expected " value [timestamp]" after ${name}, got ${JSON.stringify(rest.slice(0, 60))}`);
  }
  return { name, labels, value: sampleValue(tokens[0] ?? '') };
}

/** Every sample of an exposition text, in order. Throws ExpositionError on the first bad line. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    try {
      samples.push(sampleLine(line));
    } catch (err) {
      throw new ExpositionError(i + 1, err instanceof Error ? err.message : String(err));
    }
  }
  return samples;
}
