// `npx tsx scripts/install-kube-score.ts`: installs the pinned kube-score into the binary cache
// (scripts/setup.sh runs it) and prints its path. Does nothing when it is already there.
import { loadConfig } from '../localcluster/config.js';
import { ensureKubeScore } from './lib/kube-score.js';

const config = loadConfig();
try {
  console.log(await ensureKubeScore(config.cacheDir, config.goBinary, (line) => console.log(line)));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
