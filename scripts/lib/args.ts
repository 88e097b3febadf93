// A small, strict command-line flag parser shared by the operator-facing scripts. Every
// mistake becomes a UsageError whose message names the flag and what it accepts, so a CLI
// can print it and exit 2 instead of failing later with something obscure.

/** A command-line mistake; the message is for the user as is. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What a script's argument parser returns: `--help`, or the options. */
export type Command<T> = { help: true } | { help: false; options: T };

/**
 * Runs a script's argument parser the way every script answers: `--help` prints `help`, a
 * UsageError prints `<name>: <message>` and the hint to --help. Returns the options, or the exit
 * code to end with (0 after --help, 2 after a usage error). Other errors are thrown on.
 */
export function commandOptions<T>(name: string, parse: () => Command<T>, help: string): T | { exitCode: number } {
  try {
    const command = parse();
    if (!command.help) return command.options;
    process.stdout.write(help);
    return { exitCode: 0 };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${name}: ${err.message}\nRun \`npm run ${name} -- --help\` for every flag.`);
    return { exitCode: 2 };
  }
}

export interface FlagSpec {
  /** `string` flags take a value (`--rate 200` or `--rate=200`); `boolean` flags take none. */
  type: 'string' | 'boolean';
  /** A one-letter alias, without the dash (`n` for `-n`). */
  short?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Parsed flags: a string for each given value flag, `true` for each given boolean flag. */
export type ParsedFlags = Record<string, string | true>;

/**
 * Parses `argv` (without node and script) against `specs`. Refuses unknown flags (listing
 * the known ones), a value flag without a value, a value on a boolean flag, a repeated
 * flag and positional arguments. Throws UsageError; never exits.
 */
export function parseFlags(argv: readonly string[], specs: FlagSpecs): ParsedFlags {
  const { flags, positionals } = parseCommandLine(argv, specs);
  if (positionals[0] !== undefined) throw new UsageError(`unexpected argument "${positionals[0]}"; every option is a --flag (see --help)`);
  return flags;
}

/**
 * Like parseFlags, but arguments that are neither a flag nor a flag's value are returned in
 * order as `positionals` (for commands that name an object, `rollback NAME -n NS`) instead
 * of being refused. Throws UsageError; never exits.
 */
export function parseCommandLine(argv: readonly string[], specs: FlagSpecs): { flags: ParsedFlags; positionals: string[] } {
  const flags: ParsedFlags = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('-')) i = readFlag(argv, i, specs, flags);
    else positionals.push(arg);
  }
  return { flags, positionals };
}

/** Stores the flag at `argv[i]` (and its value) in `parsed`; returns the index of the last argument used. */
function readFlag(argv: readonly string[], i: number, specs: FlagSpecs, parsed: ParsedFlags): number {
  const arg = argv[i] ?? '';
  const { name, inline } = flagName(arg, specs);
  if (knownSpec(specs, parsed, name, arg).type === 'boolean') {
    if (inline !== undefined) throw new UsageError(`--${name} takes no value (got "${inline}")`);
    parsed[name] = true;
    return i;
  }
  const value = inline ?? argv[i + 1];
  if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
  parsed[name] = value;
  return inline === undefined ? i + 1 : i;
}

/** The spec of a flag seen for the first time; throws for an unknown or repeated flag. */
function knownSpec(specs: FlagSpecs, parsed: ParsedFlags, name: string, arg: string): FlagSpecs[string] {
  const spec = specs[name];
  if (spec === undefined) throw new UsageError(`unknown flag ${arg}; known flags: ${Object.keys(specs).map((known) => `--${known}`).join(', ')}`);
  if (parsed[name] !== undefined) throw new UsageError(`--${name} is given more than once`);
  return spec;
}

function flagName(arg: string, specs: FlagSpecs): { name: string; inline?: string } {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    return eq === -1 ? { name: arg.slice(2) } : { name: arg.slice(2, eq), inline: arg.slice(eq + 1) };
  }
  if (/^-[A-Za-z]$/.test(arg)) {
    const long = Object.entries(specs).find(([, spec]) => spec.short === arg.slice(1));
    if (long !== undefined) return { name: long[0] };
  }
  return { name: arg };
}

export interface NumberRule {
  min: number;
  max: number;
  /** Whole numbers only. */
  integer: boolean;
  /** Words for the unit, shown in the message (`seconds`). */
  unit?: string;
}

/**
 * Reads a numeric flag value within `rule`, or `fallback` when the flag was not given.
 * Throws UsageError naming the flag, the allowed range and what was given.
 */
export function numberFlag(flags: ParsedFlags, name: string, rule: NumberRule, fallback: number): number;
export function numberFlag(flags: ParsedFlags, name: string, rule: NumberRule): number | undefined;
export function numberFlag(flags: ParsedFlags, name: string, rule: NumberRule, fallback?: number): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!fits(value, rule)) {
    const kind = rule.integer ? 'a whole number' : 'a number';
    const unit = rule.unit === undefined ? '' : ` ${rule.unit}`;
    throw new UsageError(`--${name} must be ${kind} from ${rule.min} to ${rule.max}${unit}, got "${String(raw)}"`);
  }
  return value;
}

const fits = (value: number, rule: NumberRule): boolean => Number.isFinite(value) && value >= rule.min && value <= rule.max && (!rule.integer || Number.isInteger(value));

/** Reads a string flag, or `undefined` when it was not given. */
export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const raw = flags[name];
  return typeof raw === 'string' ? raw : undefined;
}

/** True when a boolean flag was given. */
export function booleanFlag(flags: ParsedFlags, name: string): boolean {
  return flags[name] === true;
}
