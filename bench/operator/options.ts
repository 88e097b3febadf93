// The benchmark's command line: counts, durations and where the cluster is.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../../scripts/lib/operator-process.js';

export interface Options {
  count: number;
  edits: number;
  idleCount: number;
  idleSeconds: number;
  minReplicas: number;
  kubeconfig: string;
  /** Run the operator from source through tsx instead of compiled JavaScript (as the image runs it). */
  source: boolean;
}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '200' },
      edits: { type: 'string', default: '50' },
      'idle-count': { type: 'string', default: '100' },
      'idle-seconds': { type: 'string', default: '60' },
      'min-replicas': { type: 'string', default: '1' },
      kubeconfig: { type: 'string', default: path.join(REPO_ROOT, '.localcluster/kubeconfig') },
      source: { type: 'boolean', default: false },
    },
  });
  const options = {
    count: positive('--count', values.count),
    edits: positive('--edits', values.edits),
    idleCount: positive('--idle-count', values['idle-count']),
    idleSeconds: positive('--idle-seconds', values['idle-seconds']),
    minReplicas: positive('--min-replicas', values['min-replicas']),
    kubeconfig: values.kubeconfig,
    source: values.source,
  };
  if (options.idleCount > options.count) throw new Error(`--idle-count (${options.idleCount}) must be at most --count (${options.count})`);
  return options;
}

export function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}
