// The guard that keeps load on this machine: our load generators may only target loopback
// addresses unless the user explicitly allows a remote endpoint.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { messageOf } from '../../operator/messages.js';

/** A function resolving a host name to all its addresses (injectable for tests). */
export type Resolver = (hostname: string) => Promise<string[]>;

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.x.x). Pure. */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) !== 6) return false;
  if (bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  return mapped?.[1] !== undefined && mapped[1].startsWith('127.');
}

/** Resolves with the system resolver (what the HTTP client will use), every address. */
export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true })).map((entry) => entry.address);

/**
 * Resolves when every address `hostname` resolves to is loopback. Otherwise rejects with an
 * Error saying why the target is refused and how to allow it on purpose.
 */
export async function assertLoopbackTarget(hostname: string, resolve: Resolver = systemResolver): Promise<void> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(bare) === 0 ? await resolve(bare) : [bare];
  } catch (err) {
    throw new Error(`cannot resolve ${hostname}: ${messageOf(err)}`, { cause: err });
  }
  const remote = addresses.filter((address) => !isLoopbackAddress(address));
  if (addresses.length > 0 && remote.length === 0) return;
  const shown = isIP(bare) === 0 ? `${hostname} (${addresses.join(', ') || 'no address'})` : hostname;
  throw new Error(
    `refusing to send load to ${shown}: it is not a loopback address. This tool is meant for a `
    + 'server on this machine or a kubectl port-forward (e.g. --url http://127.0.0.1:8080), so a '
    + 'mistyped URL never floods someone else\'s service. If you really mean to load-test a remote '
    + 'endpoint you are responsible for, add --allow-remote.',
  );
}
