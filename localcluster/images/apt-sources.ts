// The machine's own Debian mirrors, read from its apt configuration so that no mirror host is
// ever written into the repository: the base image is bootstrapped from whatever this machine uses.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One `deb` source: where, which suite, which components. */
export interface AptSource {
  uri: string;
  suite: string;
  components: string[];
}

/** The fields of one deb822 stanza, keys lower-cased, continuation lines folded in. */
function stanzaFields(stanza: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last = '';
  for (const line of stanza.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (/^\s/.test(line)) {
      if (last) fields.set(last, `${fields.get(last)} ${line.trim()}`);
      continue;
    }
    const m = /^([\w-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    last = m[1]!.toLowerCase();
    fields.set(last, m[2]!.trim());
  }
  return fields;
}

/**
 * Parses deb822 `.sources` text. Returns every enabled `deb` (not `deb-src`) entry, one per
 * URI x suite. Comment lines and `Enabled: no` stanzas are skipped.
 */
export function parseDeb822(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = stanzaFields(stanza);
    const words = (key: string): string[] => (fields.get(key) ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb') || fields.get('enabled')?.toLowerCase() === 'no') continue;
    for (const uri of words('uris')) {
      for (const suite of words('suites')) sources.push({ uri, suite, components: words('components') });
    }
  }
  return sources;
}

/** Parses one-line-style `sources.list` text: `deb [options] URI SUITE COMPONENT...`. */
export function parseSourcesList(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').replace(/\[[^\]]*\]/, ' ').trim();
    const [type, uri, suite, ...components] = line.split(/\s+/);
    if (type === 'deb' && uri && suite) sources.push({ uri, suite, components });
  }
  return sources;
}

/**
 * The sources of one Debian release (`bookworm` matches bookworm, bookworm-updates and
 * bookworm-security), formatted as mmdebstrap's mirror arguments (`deb URI SUITE COMPONENTS`),
 * restricted to the `main` component the base image needs. Throws when the machine has none.
 */
export function mirrorLines(sources: AptSource[], release: string): string[] {
  const lines = sources
    .filter((s) => s.suite === release || s.suite.startsWith(`${release}-`))
    .filter((s) => s.components.includes('main') && /^https?:\/\//.test(s.uri))
    .map((s) => `deb ${s.uri} ${s.suite} main`);
  const unique = [...new Set(lines)];
  if (!unique.some((l) => l.split(' ')[2] === release)) {
    throw new Error(`no apt source for Debian ${release} main in the machine's apt configuration (sources.list or sources.list.d/*.sources); the base image is bootstrapped from it`);
  }
  return unique;
}

/** Reads `<aptDir>/sources.list` and `<aptDir>/sources.list.d/*.{list,sources}`. Missing files are fine. */
export async function readAptSources(aptDir: string): Promise<AptSource[]> {
  const sources = parseSourcesList(await readFile(path.join(aptDir, 'sources.list'), 'utf8').catch(() => ''));
  const dir = path.join(aptDir, 'sources.list.d');
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  for (const name of names) {
    const text = await readFile(path.join(dir, name), 'utf8');
    if (name.endsWith('.sources')) sources.push(...parseDeb822(text));
    else if (name.endsWith('.list')) sources.push(...parseSourcesList(text));
  }
  return sources;
}
