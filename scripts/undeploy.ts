// `npm run undeploy`: removes what `npm run deploy` installed (config/default's objects) and waits
// until the operator's pods are gone. The CRD, and so every RiskModel, stays unless --crd is given.
// Exit status: 0 removed (or nothing was installed), 1 failed, 2 bad usage.

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../localcluster/config.js';
import { parseUndeployArgs, UNDEPLOY_HELP, type UndeployOptions } from './lib/deploy-options.js';
import { installedTarget, runCommand } from './lib/deploy-target.js';
import { uninstallOperator } from './lib/operator-install.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const log = (line: string): void => console.log(`undeploy: ${line}`);

async function undeploy(options: UndeployOptions): Promise<void> {
  const config = loadConfig();
  const target = await installedTarget(config);
  log(`removing the operator from ${target.server ?? 'the current context'}${options.crd ? ', with the RiskModel CRD and every RiskModel' : ''}`);
  const removed = await uninstallOperator(target.kubectl, { repoRoot: REPO_ROOT, crd: options.crd, timeoutSeconds: options.timeoutSeconds });
  if (target.local) await rm(path.join(config.stateDir, 'deploy'), { recursive: true, force: true });
  log(`gone (or already absent): ${removed.join(', ')}; no operator pod is left`);
  if (!options.crd) log('kept: the CRD riskmodels.riskmodel.dev and every RiskModel with its pods (npm run undeploy -- --crd deletes them)');
}

runCommand('undeploy', () => parseUndeployArgs(process.argv.slice(2)), UNDEPLOY_HELP, undeploy);
