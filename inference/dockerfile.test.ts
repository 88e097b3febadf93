// The image cannot be built here (no Docker engine), so its invariants are checked in the file.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../', import.meta.url));

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function parse(text: string): Instruction[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return logical.map((line) => {
    const [op = '', ...rest] = line.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(' ') };
  });
}

function stages(instructions: Instruction[]): Instruction[][] {
  const out: Instruction[][] = [];
  for (const i of instructions) {
    if (i.op === 'FROM') out.push([]);
    out.at(-1)?.push(i);
  }
  return out;
}

const execForm = (args: string): string[] => {
  const parsed: unknown = JSON.parse(args);
  expect(parsed, `exec form expected: ${args}`).to.be.an('array');
  return parsed as string[];
};

describe('Dockerfile.inference', () => {
  const all = parse(readFileSync(`${root}Dockerfile.inference`, 'utf8'));
  const [build = [], runtime = []] = stages(all);
  const runs = (stage: Instruction[]) => stage.filter((i) => i.op === 'RUN').map((i) => i.args);
  const last = (op: string) => runtime.filter((i) => i.op === op).at(-1)?.args ?? '';
  const env = (name: string): string | undefined => {
    const all = runtime.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    return new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(all)?.[1];
  };

  it('has a build stage and a runtime stage', () => {
    expect(stages(all)).to.have.length(2);
    expect(build[0]?.args).to.match(/ AS build$/i);
  });

  it('installs dev dependencies and compiles in the build stage', () => {
    expect(runs(build).some((r) => /npm ci(?!.*--omit=dev)/.test(r))).to.be.true;
    expect(runs(build)).to.include('npm run build');
  });

  it('installs production dependencies only in the runtime stage', () => {
    expect(runs(runtime).some((r) => r.includes('npm ci --omit=dev'))).to.be.true;
    expect(runs(runtime).some((r) => /npm ci(?!.*--omit=dev)/.test(r))).to.be.false;
  });

  it('runs the compiled entry point that npm run build emits, with node in exec form', () => {
    const cmd = execForm(last('CMD'));
    expect(cmd).to.deep.equal(['node', 'dist/inference/main.js']);
    const tsconfig = JSON.parse(readFileSync(`${root}tsconfig.build.json`, 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
    expect(tsconfig.compilerOptions).to.include({ outDir: 'dist', rootDir: '.' });
    expect(existsSync(`${root}inference/main.ts`)).to.be.true;
    expect(runtime.some((i) => i.op === 'COPY' && i.args.startsWith('--from=build /app/dist/inference'))).to.be.true;
  });

  it('trains the default model at build time and points MODEL_PATH at it', () => {
    const train = runs(build).find((r) => r.includes('dist/inference/cli/train.js'));
    const out = /--out (\S+)/.exec(train ?? '')?.[1];
    expect(out, 'train step with --out').to.be.a('string');
    const copy = runtime.find((i) => i.op === 'COPY' && i.args.startsWith(`--from=build ${out} `));
    const dest = copy?.args.split(' ').at(-1)?.replace(/^\.\//, '/app/');
    expect(dest).to.equal(env('MODEL_PATH'));
  });

  it('copies the web page where the server looks for it', () => {
    expect(runtime.some((i) => i.op === 'COPY' && i.args === 'inference/web/static ./dist/inference/web/static')).to.be.true;
    expect(runtime.find((i) => i.op === 'WORKDIR')?.args).to.equal('/app');
  });

  it('runs as a numeric non-root user', () => {
    const user = last('USER');
    expect(user).to.match(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).to.be.above(0);
  });

  it('writes nothing outside /tmp: no steps after USER, HOME and caches in /tmp, node not npm at run time', () => {
    const userAt = runtime.findIndex((i) => i.op === 'USER');
    expect(runtime.slice(userAt).filter((i) => i.op === 'RUN')).to.deep.equal([]);
    expect(env('HOME')).to.equal('/tmp');
    expect(env('NPM_CONFIG_CACHE')).to.match(/^\/tmp\//);
    expect(runtime.some((i) => i.op === 'VOLUME')).to.be.false;
  });

  it('exposes 8080 and sets PORT to match', () => {
    expect(last('EXPOSE')).to.equal('8080');
    expect(env('PORT')).to.equal('8080');
  });

  it('has a HEALTHCHECK that uses node against /healthz (no curl in the image)', () => {
    const check = last('HEALTHCHECK');
    const cmd = execForm(check.slice(check.indexOf('CMD ') + 4));
    expect(cmd[0]).to.equal('node');
    expect(cmd.join(' ')).to.contain('/healthz');
    expect(all.some((i) => /\b(curl|wget)\b/.test(i.args) && i.op !== 'HEALTHCHECK')).to.be.false;
  });

  it('keeps local state out of the build context', () => {
    const ignored = readFileSync(`${root}.dockerignore`, 'utf8').split('\n');
    expect(ignored).to.include.members(['node_modules', 'dist', '.git']);
  });
});
