// Dockerfile.operator cannot be built here (no Docker engine), so its invariants are checked
// in the file, together with the files it relies on.

import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface Stage {
  from: string;
  name: string | undefined;
  lines: string[];
}

function stages(text: string): Stage[] {
  const out: Stage[] = [];
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  for (const line of logical) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ from: from[1]!, name: from[2], lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

const dockerfile = readFileSync('Dockerfile.operator', 'utf8');
const all = stages(dockerfile);
const runtime = all.at(-1)!;
const instr = (stage: Stage, name: string) => stage.lines.filter((l) => l.toUpperCase().startsWith(`${name} `));

describe('Dockerfile.operator', () => {
  it('is multi-stage: the image that ships is not the one that compiled, and takes the compiled output from it', () => {
    const compiles = (s: Stage) => instr(s, 'RUN').some((l) => /npm run build|\btsc\b/.test(l));
    const build = all.find(compiles);
    expect(build, 'a stage that compiles the TypeScript').not.to.be.undefined;
    expect(build).not.to.equal(runtime);
    expect(build!.name, 'the compiling stage is named, so the runtime can copy from it').to.be.a('string');
    expect(compiles(runtime), 'the runtime stage compiles nothing').to.be.false;
    expect(instr(runtime, 'RUN').join('\n'), 'the runtime stage installs no dev dependencies').not.to.match(/npm (ci|install)(?!.*--omit=dev)/);
    expect(instr(runtime, 'COPY').some((l) => l.includes(`--from=${build!.name}`) && l.includes('dist/operator'))).to.be.true;
  });

  it('uses the same Node major version as package.json engines and CI (20) in every stage', () => {
    for (const stage of all) expect(stage.from).to.match(/^node:20[.-]/);
  });

  it('ships production dependencies only', () => {
    const deps = all.find((s) => instr(s, 'RUN').some((l) => l.includes('npm ci')) && s !== all[0]);
    expect(deps, 'a stage installing production dependencies').not.to.be.undefined;
    expect(instr(deps!, 'RUN').join(' ')).to.include('--omit=dev');
    expect(instr(runtime, 'COPY').some((l) => l.includes(`--from=${deps!.name}`) && l.includes('node_modules'))).to.be.true;
  });

  it('runs as a non-root numeric user, matching the manager Deployment', () => {
    const user = instr(runtime, 'USER').at(-1);
    const match = /^USER\s+(\d+)(?::(\d+))?$/.exec(user ?? '');
    expect(match, `numeric USER in the final stage, got ${user}`).not.to.be.null;
    expect(Number(match![1])).to.be.greaterThan(0);
    const manager = parse(readFileSync('config/manager/manager.yaml', 'utf8')) as { spec: { template: { spec: { securityContext: { runAsUser: number; runAsNonRoot: boolean } } } } };
    expect(manager.spec.template.spec.securityContext).to.include({ runAsUser: Number(match![1]), runAsNonRoot: true });
  });

  it('starts the compiled entry point in exec form, and that entry point is what the build emits', () => {
    const entry = instr(runtime, 'ENTRYPOINT').at(-1) ?? instr(runtime, 'CMD').at(-1);
    expect(entry).to.match(/^(ENTRYPOINT|CMD)\s+\[/);
    const argv = JSON.parse(entry!.replace(/^\S+\s+/, '')) as string[];
    expect(argv).to.deep.equal(['node', 'dist/operator/main.js']);
    const build = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { compilerOptions: { outDir: string; rootDir: string }; include: string[] };
    expect(build.compilerOptions).to.include({ outDir: 'dist', rootDir: '.' });
    expect(build.include).to.include('operator/**/*.ts');
    expect(existsSync('operator/main.ts')).to.be.true;
  });

  it('copies only compiled output and dependencies into the runtime image, never sources', () => {
    for (const line of instr(runtime, 'COPY')) expect(line).not.to.match(/\s(operator|inference|\.)\s/);
  });

  it('exposes the HTTP port the operator listens on by default and the manager probes', () => {
    expect(instr(runtime, 'EXPOSE')).to.deep.equal(['EXPOSE 8081']);
    expect(readFileSync('config/manager/manager.yaml', 'utf8')).to.include('containerPort: 8081');
  });
});
