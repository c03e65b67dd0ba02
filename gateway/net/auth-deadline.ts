/**
 * One deadline from TCP accept to authenticated. The clock starts when the listener accepts the
 * TCP connection, before the TLS handshake, so a client that stays silent or sends its ClientHello
 * one byte a second is closed (and its connection slot released) like one that never logs in. Until
 * the handshake completes the deadline lives here, on the raw socket; the session then takes the
 * same deadline over for SASL (ClientSession's auth timer).
 */
import type { Socket } from 'node:net';

interface Pending {
  readonly deadline: number;
  readonly timer: NodeJS.Timeout;
}

export class AuthDeadlines {
  /** Connections accepted whose TLS handshake has not completed, by their TCP endpoints. */
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly timeoutMs: number,
    /** Called when a connection's handshake has not completed by its deadline (it is then destroyed). */
    private readonly onExpired: (raw: Socket) => void,
  ) {}

  /** Starts the clock for a just-accepted connection; returns its deadline (ms since epoch). */
  start(raw: Socket): number {
    const deadline = Date.now() + this.timeoutMs;
    const key = endpoint(raw);
    const entry: Pending = {
      deadline,
      timer: setTimeout(() => {
        if (this.pending.get(key) === entry) this.pending.delete(key);
        this.onExpired(raw);
        raw.destroy();
      }, this.timeoutMs),
    };
    this.pending.set(key, entry);
    raw.once('close', () => {
      clearTimeout(entry.timer);
      if (this.pending.get(key) === entry) this.pending.delete(key);
    });
    return deadline;
  }

  /** The handshake of `socket` (a TLS socket over a started raw one) completed: hands its deadline over. */
  handOver(socket: Socket): number {
    const key = endpoint(socket);
    const entry = this.pending.get(key);
    if (!entry) return Date.now() + this.timeoutMs;
    clearTimeout(entry.timer);
    this.pending.delete(key);
    return entry.deadline;
  }

  /** Connections still in their TLS handshake (for tests and metrics). */
  get inHandshake(): number {
    return this.pending.size;
  }
}

// A TLS socket reports its underlying TCP connection's addresses and ports; while that connection
// is open no other connection has the same four.
const endpoint = (s: Socket): string => `${s.remoteAddress}|${s.remotePort}|${s.localAddress}|${s.localPort}`;
