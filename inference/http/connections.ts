// Connection bookkeeping for a shutdown that loses no request. Node's own server.close()
// destroys every connection that is idle at that instant, including one a client opened a
// millisecond ago and is about to send on, and closeAllConnections() cuts requests mid-body.
// Here the listener closes without touching connections; a connection then closes after its
// next response (`Connection: close`), or once it has sat unused for `quietMs` since the
// listener closed: a keep-alive client that comes back within that time is answered.

import type http from 'node:http';
import net from 'node:net';
import type { Lifecycle } from './context.js';

interface ConnectionState {
  /** Requests received on the connection and not yet closed (pipelining allows several). */
  active: number;
  /** When the connection last became unused (opened, or its last response closed). */
  idleSince: number;
}

export interface DrainPlan {
  /** Readiness is 503 but the listener still accepts: time for endpoints to drop the pod. */
  drainDelayMs: number;
  /** After the listener closed: how long connections may stay before they are cut. */
  graceMs: number;
  /** A connection with no request for this long, counted from the listener closing, is closed; default 1000. */
  quietMs?: number;
}

const SWEEP_MS = 50;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Tracks a server's connections and requests; `drain` runs the shutdown sequence on them. */
export class ConnectionTracker {
  private readonly states = new Map<net.Socket, ConnectionState>();
  private server: http.Server | undefined;

  constructor(private readonly lifecycle: Lifecycle) {}

  /** Starts tracking `server`'s connections; call once, before it listens. */
  watch(server: http.Server): void {
    this.server = server;
    server.on('connection', (socket: net.Socket) => {
      this.states.set(socket, { active: 0, idleSince: performance.now() });
      socket.once('close', () => this.states.delete(socket));
    });
  }

  /** Call first thing for each request: counts it and, while draining, asks for `Connection: close`. */
  begin(req: http.IncomingMessage, res: http.ServerResponse): void {
    const state = this.states.get(req.socket);
    if (this.lifecycle.shuttingDown) res.setHeader('connection', 'close');
    if (!state) return;
    state.active++;
    res.once('close', () => {
      state.active--;
      state.idleSince = performance.now();
    });
  }

  /** Open connections (for tests). */
  get open(): number {
    return this.states.size;
  }

  /**
   * Readiness off at once; after `drainDelayMs` the listener closes; every connection then
   * closes after its next response or once quiet. Resolves true when the last connection
   * closed, false if `graceMs` after the listener closed some were still open (they are cut).
   */
  async drain(plan: DrainPlan): Promise<boolean> {
    this.lifecycle.shuttingDown = true;
    await sleep(plan.drainDelayMs);
    const server = this.server;
    // net.Server's close, not http.Server's: the latter destroys idle connections at once.
    if (server?.listening) net.Server.prototype.close.call(server);
    const closedAt = performance.now();
    const deadline = closedAt + plan.graceMs;
    const quietMs = plan.quietMs ?? 1000;
    while (this.states.size > 0 && performance.now() < deadline) {
      this.closeQuiet(closedAt, quietMs);
      await sleep(Math.min(SWEEP_MS, Math.max(1, deadline - performance.now())));
    }
    const drained = this.states.size === 0;
    for (const socket of this.states.keys()) socket.destroy();
    // Now that no connection is left this only stops http.Server's timeout checks.
    server?.close();
    return drained;
  }

  /** Closes connections unused for `quietMs`, counting from `since` at the earliest. */
  private closeQuiet(since: number, quietMs: number): void {
    const now = performance.now();
    for (const [socket, state] of this.states) {
      if (state.active === 0 && now - Math.max(since, state.idleSince) >= quietMs) socket.destroy();
    }
  }
}
