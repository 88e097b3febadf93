// The real node's network: one Linux bridge the scripts create, its address (the node IP, where
// the kubelet and the API server listen), and the pod and Service ranges routed to it so that no
// packet for them can take the host's default route. Pure address arithmetic plus the `ip`
// commands that apply and undo it.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { NODE_IP, SERVICE_CIDR } from './pki.js';

const run = promisify(execFile);

/** The bridge pods are attached to; at most 15 characters (IFNAMSIZ). */
export const BRIDGE = 'riskbr0';
/** Node subnet: the bridge holds its first address, pods get addresses from the rest. */
export const NODE_SUBNET = '10.250.0.0/24';
export const BRIDGE_IP = NODE_IP;
export const POD_RANGE = { start: '10.250.0.10', end: '10.250.0.250' };
/** What is routed to the bridge: pods are on-link, Services are translated by kube-proxy. */
export const ROUTED_CIDRS = [NODE_SUBNET, SERVICE_CIDR];

/** An IPv4 address as an unsigned 32-bit number; throws on anything else. */
export function ipv4ToNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return parts.reduce((n, p) => n * 256 + p, 0);
}

/** [first, last] address of a CIDR (a bare address is a /32). */
export function cidrRange(cidr: string): [number, number] {
  const [ip = '', bitsText = '32'] = cidr.split('/');
  const bits = Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`bad prefix length in ${cidr}`);
  const size = 2 ** (32 - bits);
  const first = Math.floor(ipv4ToNumber(ip) / size) * size;
  return [first, first + size - 1];
}

/** True when the two CIDRs share at least one address. */
export function overlaps(a: string, b: string): boolean {
  const [a0, a1] = cidrRange(a);
  const [b0, b1] = cidrRange(b);
  return a0 <= b1 && b0 <= a1;
}

export interface HostRoute {
  dst: string;
  dev: string;
}

/**
 * Host routes (other than the default route and our bridge's own) that overlap a range we would
 * route to the bridge: adding ours would shadow them, so the caller refuses to start.
 */
export function conflictingRoutes(routes: HostRoute[], ours = ROUTED_CIDRS): HostRoute[] {
  return routes.filter((r) => r.dst !== 'default' && r.dev !== BRIDGE && ours.some((c) => overlaps(c, r.dst)));
}

async function ip(args: string[]): Promise<string> {
  try {
    return (await run('ip', args)).stdout;
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('the ip command is missing (apt-get install iproute2; scripts/setup.sh does it)');
    throw new Error(`ip ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Every IPv4 route of the main table, as `ip -j route` reports it. */
export async function hostRoutes(): Promise<HostRoute[]> {
  return (JSON.parse(await ip(['-j', '-4', 'route', 'show', 'table', 'main'])) as HostRoute[]).map((r) => ({ dst: r.dst, dev: r.dev }));
}

/** True when the bridge exists (for example left by a run that crashed). */
export async function bridgeExists(): Promise<boolean> {
  return (JSON.parse(await ip(['-j', 'link', 'show'])) as { ifname: string }[]).some((l) => l.ifname === BRIDGE);
}

/**
 * Creates the bridge with the node address and routes the pod and Service ranges to it. A bridge
 * left by an earlier run is deleted first (with it go its stale routes and ports). Refuses when a
 * host route overlaps our ranges. Forwarding is turned on for this bridge only, so the host
 * forwards pod-to-Service traffic (which kube-proxy rewrites to another pod) and nothing else.
 */
export async function createBridge(): Promise<void> {
  if (await bridgeExists()) await deleteBridge();
  const conflicts = conflictingRoutes(await hostRoutes());
  if (conflicts.length > 0) {
    throw new Error(`host routes overlap the cluster ranges ${ROUTED_CIDRS.join(', ')}: ${conflicts.map((r) => `${r.dst} dev ${r.dev}`).join('; ')}`);
  }
  await ip(['link', 'add', BRIDGE, 'type', 'bridge']);
  await ip(['addr', 'add', `${BRIDGE_IP}/${NODE_SUBNET.split('/')[1]}`, 'dev', BRIDGE]);
  await ip(['link', 'set', BRIDGE, 'up']);
  // The subnet route comes with the address; the Service range needs its own.
  await ip(['route', 'replace', SERVICE_CIDR, 'dev', BRIDGE, 'src', BRIDGE_IP]);
  // Per-interface: the global net.ipv4.ip_forward stays as it is. Goes away with the bridge.
  await writeFile(`/proc/sys/net/ipv4/conf/${BRIDGE}/forwarding`, '1\n');
}

/** Deletes the bridge (its routes go with it). Safe when it does not exist. */
export async function deleteBridge(): Promise<boolean> {
  if (!(await bridgeExists())) return false;
  await ip(['link', 'delete', BRIDGE]);
  return true;
}
