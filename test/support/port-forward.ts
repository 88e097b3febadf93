// `kubectl port-forward svc/NAME` against the local cluster, for the data-plane tests.
import { spawn } from 'node:child_process';
import { clusterPaths } from '../../localcluster/cluster.js';

/**
 * Forwards a free loopback port to port 80 of `service` in `namespace`; resolves once kubectl
 * reports the port, rejects if it exits first or reports none within 20 s. Call `stop()` when done.
 */
export async function portForwardService(namespace: string, service: string): Promise<{ port: number; stop: () => void }> {
  const paths = clusterPaths();
  const child = spawn(paths.kubectl, [`--kubeconfig=${paths.kubeconfig}`, 'port-forward', '-n', namespace, `svc/${service}`, ':80', '--address', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = (): void => void child.kill('SIGTERM');
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no port-forward after 20 s: ${out}`)), 20_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${out}`)));
    });
    return { port, stop };
  } catch (err) {
    stop();
    throw err;
  }
}
