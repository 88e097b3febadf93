// How the benchmark runs the operator: compiled as the image runs it, or from source.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../scripts/lib/operator-process.js';
import type { Options } from './options.js';

/** Inside node_modules so the compiled operator resolves its dependencies from the project. */
export const BUILD_DIR = path.join(REPO_ROOT, 'node_modules/.cache/riskmodel-bench/dist');

/** Node arguments for the operator: compiled with tsconfig.build.json (like Dockerfile.operator), or from source. */
export async function operatorNodeArgs(options: Options): Promise<string[]> {
  if (options.source) return ['--import', 'tsx', 'operator/main.ts'];
  console.log('compiling the operator (tsconfig.build.json) …');
  const tsc = path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR], { cwd: REPO_ROOT });
  return [path.join(BUILD_DIR, 'operator/main.js')];
}
