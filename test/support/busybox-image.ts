// A small test image for the real node, built from the host's statically linked busybox
// (Debian's busybox-static) as a scratch image: a shell for `kubectl exec` and an HTTP server
// that answers with the pod's name, so a test can tell which pod a Service request reached.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../localcluster/config.js';
import { commitScratchImage } from '../../localcluster/pause.js';
import type { ImageArchive } from '../../localcluster/cluster.js';

export const BUSYBOX = '/bin/busybox';
/** Port the image's HTTP server listens on. */
export const BUSYBOX_HTTP_PORT = 8080;
const APPLETS = ['sh', 'httpd', 'hostname', 'cat', 'echo', 'sleep', 'mkdir', 'wget', 'nc', 'ls', 'id'];
const START = `mkdir -p /tmp/www && hostname > /tmp/www/index.html && echo serving on ${BUSYBOX_HTTP_PORT} && exec httpd -f -v -p ${BUSYBOX_HTTP_PORT} -h /tmp/www`;

/** Builds the image unless the cache has it for this busybox binary; returns its ref and archive. */
export async function ensureBusyboxImage(): Promise<ImageArchive> {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing (apt-get install busybox-static; scripts/setup.sh does it)`);
  const key = createHash('sha256').update(await readFile(BUSYBOX)).update(START).digest('hex').slice(0, 12);
  const ref = `localhost/riskmodel/busybox-test:${key}`;
  const config = loadConfig();
  const dir = path.join(config.cacheDir, 'test-images', key);
  const archive = path.join(dir, 'busybox.tar');
  if (existsSync(archive)) return { ref, archive };
  await mkdir(dir, { recursive: true });
  const rootfs = await mkdtemp(path.join(dir, 'rootfs-'));
  try {
    await mkdir(path.join(rootfs, 'bin'));
    await mkdir(path.join(rootfs, 'tmp'));
    await chmod(path.join(rootfs, 'tmp'), 0o1777);
    await copyFile(BUSYBOX, path.join(rootfs, 'bin/busybox'));
    await chmod(path.join(rootfs, 'bin/busybox'), 0o755);
    for (const applet of APPLETS) await symlink('busybox', path.join(rootfs, 'bin', applet));
    await commitScratchImage({ rootfs, ref, config: { user: '65534:65534', entrypoint: ['/bin/sh', '-c', START], port: BUSYBOX_HTTP_PORT }, archive, storage: config.images });
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
  return { ref, archive };
}
