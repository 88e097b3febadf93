import { expect } from 'chai';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mirrorLines, parseDeb822, parseSourcesList, readAptSources } from './apt-sources.js';

const deb822 = `Types: deb
# a comment
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://mirror.example/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main

Types: deb
Enabled: no
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
`;

describe('apt sources', () => {
  it('reads every enabled deb entry of a deb822 file, one per URI and suite, skipping deb-src and disabled stanzas', () => {
    expect(parseDeb822(deb822)).to.deep.equal([
      { uri: 'http://mirror.example/debian', suite: 'bookworm', components: ['main', 'contrib'] },
      { uri: 'http://mirror.example/debian', suite: 'bookworm-updates', components: ['main', 'contrib'] },
      { uri: 'http://security.example/debian-security', suite: 'bookworm-security', components: ['main'] },
    ]);
  });

  it('reads one-line sources.list entries with options and comments', () => {
    const text = '# deb http://old.example/debian buster main\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main non-free\ndeb-src http://m.example/debian bookworm main\n';
    expect(parseSourcesList(text)).to.deep.equal([{ uri: 'http://m.example/debian', suite: 'bookworm', components: ['main', 'non-free'] }]);
  });

  it('turns the release and its -updates/-security suites into mmdebstrap mirror lines for main only', () => {
    const sources = [...parseDeb822(deb822), { uri: 'http://m.example/debian', suite: 'trixie', components: ['main'] }];
    expect(mirrorLines(sources, 'bookworm')).to.deep.equal([
      'deb http://mirror.example/debian bookworm main',
      'deb http://mirror.example/debian bookworm-updates main',
      'deb http://security.example/debian-security bookworm-security main',
    ]);
  });

  it('refuses a machine without a source for the release itself, naming the files it read', () => {
    expect(() => mirrorLines([{ uri: 'http://m.example/debian', suite: 'bookworm-updates', components: ['main'] }], 'bookworm')).to.throw(/no apt source for Debian bookworm main.*sources\.list/);
    expect(() => mirrorLines([{ uri: 'file:/srv/debian', suite: 'bookworm', components: ['main'] }], 'bookworm')).to.throw(/no apt source/);
  });

  it('reads sources.list and the .list and .sources files of sources.list.d, ignoring other files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'apt-'));
    try {
      await mkdir(path.join(dir, 'sources.list.d'));
      await writeFile(path.join(dir, 'sources.list'), 'deb http://a.example/debian bookworm main\n');
      await writeFile(path.join(dir, 'sources.list.d', 'b.list'), 'deb http://b.example/debian bookworm main\n');
      await writeFile(path.join(dir, 'sources.list.d', 'c.sources'), 'Types: deb\nURIs: http://c.example/debian\nSuites: bookworm\nComponents: main\n');
      await writeFile(path.join(dir, 'sources.list.d', 'd.list.save'), 'deb http://d.example/debian bookworm main\n');
      expect((await readAptSources(dir)).map((s) => s.uri)).to.deep.equal(['http://a.example/debian', 'http://b.example/debian', 'http://c.example/debian']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
