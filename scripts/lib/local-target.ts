// The guard that keeps load on this machine: our load generators may only target loopback, or a
// pod or Service address of the local cluster that the kernel routes to the cluster's own bridge,
// unless the user explicitly allows a remote endpoint.

import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { BRIDGE, cidrRange, ipv4ToNumber, ROUTED_CIDRS } from '../../localcluster/network.js';
import { messageOf } from '../../operator/messages.js';

const run = promisify(execFile);

/** A function resolving a host name to all its addresses (injectable for tests). */
export type Resolver = (hostname: string) => Promise<string[]>;
/** The network device the kernel would send a packet for `address` out of; undefined when none. */
export type RouteLookup = (address: string) => Promise<string | undefined>;

export interface TargetChecks {
  resolve: Resolver;
  routeDevice: RouteLookup;
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.x.x). Pure. */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) !== 6) return false;
  if (bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  return mapped?.[1] !== undefined && mapped[1].startsWith('127.');
}

/** True when `address` is an IPv4 address inside the pod or Service range of the local cluster. Pure. */
export function inClusterRanges(address: string, ranges: readonly string[] = ROUTED_CIDRS): boolean {
  if (isIP(address) !== 4) return false;
  const n = ipv4ToNumber(address);
  return ranges.some((cidr) => {
    const [first, last] = cidrRange(cidr);
    return n >= first && n <= last;
  });
}

/** Resolves with the system resolver (what the HTTP client will use), every address. */
export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true })).map((entry) => entry.address);

/** Asks the kernel (`ip route get`) which device a packet for `address` leaves through. */
export const kernelRoute: RouteLookup = async (address) => {
  try {
    const { stdout } = await run('ip', ['-j', 'route', 'get', address]);
    return (JSON.parse(stdout) as { dev?: string }[])[0]?.dev;
  } catch {
    return undefined;
  }
};

const systemChecks: TargetChecks = { resolve: systemResolver, routeDevice: kernelRoute };

/** Why one address is refused, or undefined when it is allowed. */
async function refusal(address: string, routeDevice: RouteLookup): Promise<string | undefined> {
  if (isLoopbackAddress(address)) return undefined;
  if (!inClusterRanges(address)) return `${address} is neither loopback nor in the local cluster's ranges (${ROUTED_CIDRS.join(', ')})`;
  const dev = await routeDevice(address);
  if (dev === BRIDGE) return undefined;
  return `${address} is in the local cluster's ranges but the kernel routes it via ${dev ?? 'no device'}, not the cluster bridge ${BRIDGE} (is the local cluster with its real node up? npm run cluster:up)`;
}

/**
 * Resolves when every address `hostname` resolves to is loopback, or a pod or Service address of
 * the local cluster routed to its bridge. Otherwise rejects with an Error saying why the target
 * is refused and how to allow it on purpose.
 */
export async function assertLocalTarget(hostname: string, checks: TargetChecks = systemChecks): Promise<void> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(bare) === 0 ? await checks.resolve(bare) : [bare];
  } catch (err) {
    throw new Error(`cannot resolve ${hostname}: ${messageOf(err)}`, { cause: err });
  }
  const reasons = (await Promise.all(addresses.map((a) => refusal(a, checks.routeDevice)))).filter((r): r is string => r !== undefined);
  if (addresses.length > 0 && reasons.length === 0) return;
  const shown = isIP(bare) === 0 ? `${hostname} (${addresses.join(', ') || 'no address'})` : hostname;
  throw new Error(
    `refusing to send load to ${shown}: ${reasons.join('; ') || 'it has no address'}. This tool is meant for a `
    + 'server on this machine, a kubectl port-forward (e.g. --url http://127.0.0.1:8080) or a Service or pod '
    + 'of the local cluster (e.g. --url http://10.96.12.34:8080), so a mistyped URL never floods someone '
    + 'else\'s service. If you really mean to load-test a remote endpoint you are responsible for, add --allow-remote.',
  );
}
