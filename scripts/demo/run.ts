import { execFile } from 'node:child_process';

/**
 * Runs a Node.js script (the same interpreter as the demo) to completion. Resolves with its
 * stdout; rejects with an Error carrying the tail of its stderr when it fails.
 */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`node ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-10).join('\n') || err.message}`));
      else resolve(stdout);
    });
  });
}
