/**
 * A client-facing listener: one bootstrap port plus one port per upstream broker (bound as brokers
 * become known), or a single TLS port routed by SNI name. Refuses connections over the limits
 * before any byte is read, starts the accept-to-authenticated deadline (auth-deadline.ts), and
 * turns a TLS client certificate into a principal with Kafka's ssl.principal.mapping.rules.
 * Failed logins are limited per principal and address inside the session, not here: refusing an
 * address would lock out every user behind it.
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import {
  SslPrincipalMapper,
  sslPrincipal,
  x500NameFromCertificate,
} from '../../security/principal-mapping.js';
import type { ListenerConfig } from '../config/schema.js';
import { ClientSession, type SessionDeps } from '../session/client-session.js';
import { untrusted } from '../untrusted.js';
import type { AddressMap, Target } from './address-map.js';
import { AuthDeadlines } from './auth-deadline.js';
import type { ConnectionLimiter } from './connection-limiter.js';
import { reloadOnChange, tlsOptions } from './tls-context.js';

export class Listener {
  private readonly servers = new Map<number, Server>();
  private readonly mapper: SslPrincipalMapper | undefined;
  private stopReload: (() => void) | undefined;
  private readonly log: Logger;
  private readonly deadlines: AuthDeadlines;
  private readonly sessions = new Set<ClientSession>();

  constructor(
    private readonly cfg: ListenerConfig,
    private readonly addressMap: AddressMap,
    private readonly deps: SessionDeps,
    private readonly limiter: ConnectionLimiter,
  ) {
    this.log = deps.log.child({ listener: cfg.name });
    this.mapper = cfg.tls ? new SslPrincipalMapper(cfg.tls.principalMappingRules) : undefined;
    this.deadlines = new AuthDeadlines(deps.limits.authTimeoutMs, (raw) => {
      this.deps.metrics.connectionRejected('auth-timeout');
      this.log.info(
        { client: `${raw.remoteAddress}:${raw.remotePort}`, timeoutMs: deps.limits.authTimeoutMs },
        'TLS handshake not completed within the authentication deadline; closing',
      );
    });
  }

  /** Request bytes held across this listener's open connections (see ClientSession.bufferedBytes). */
  bufferedBytes(): number {
    let total = 0;
    for (const s of this.sessions) total += s.bufferedBytes;
    return total;
  }

  /** Connections accepted whose TLS handshake is still running. */
  get inHandshake(): number {
    return this.deadlines.inHandshake;
  }

  async start(nodeIds: number[]): Promise<void> {
    await this.bind(this.cfg.port);
    for (const id of nodeIds) await this.ensureNodePort(id);
    if (this.cfg.tls) {
      this.stopReload = reloadOnChange(
        () => [...this.servers.values()] as TlsServer[],
        this.cfg.tls,
        this.log,
      );
    }
  }

  /** Port-per-broker: a broker seen for the first time gets its port. */
  async ensureNodePort(nodeId: number): Promise<void> {
    const port = this.addressMap.nodePort(nodeId);
    if (port === undefined || this.servers.has(port)) return;
    await this.bind(port);
  }

  ports(): number[] {
    return [...this.servers.keys()];
  }

  async close(): Promise<void> {
    this.stopReload?.();
    await Promise.all([...this.servers.values()].map((s) => new Promise((r) => s.close(r))));
  }

  private bind(port: number): Promise<void> {
    const server: Server = this.cfg.tls
      ? createTlsServer(tlsOptions(this.cfg.tls), (s) =>
          this.onConnection(s, port, this.deadlines.handOver(s)),
        )
      : createNetServer();
    // TCP-level admission runs before the TLS handshake costs anything.
    server.on('connection', (raw: Socket) => {
      const deadline = this.admit(raw);
      if (deadline !== undefined && !this.cfg.tls) this.onConnection(raw, port, deadline);
    });
    server.on('tlsClientError', (err: Error, s: TLSSocket) =>
      this.log.warn({ client: s.remoteAddress, reason: untrusted(err.message) }, 'TLS handshake failed'),
    );
    server.on('error', (err) => this.log.error({ err: err.message, port }, 'listener error'));
    this.servers.set(port, server);
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        this.servers.delete(port); // not listening: a later ensureNodePort may try again
        reject(err);
      };
      server.once('error', failed);
      server.listen(port, this.cfg.bind, () => {
        server.off('error', failed);
        this.log.info({ bind: this.cfg.bind, port, tls: Boolean(this.cfg.tls) }, 'listening');
        resolve();
      });
    });
  }

  /** Counts the connection against the limits; returns its authentication deadline, or undefined if refused. */
  private admit(raw: Socket): number | undefined {
    const address = raw.remoteAddress ?? 'unknown';
    const refused = this.limiter.admit(address);
    if (refused) {
      this.deps.metrics.connectionRejected(refused);
      this.log.warn({ client: address, reason: refused }, 'connection refused');
      raw.destroy();
      return undefined;
    }
    raw.once('close', () => this.limiter.release(address));
    if (!this.cfg.tls) return Date.now() + this.deps.limits.authTimeoutMs;
    return this.deadlines.start(raw);
  }

  private onConnection(socket: Socket, port: number, authDeadline: number): void {
    if (socket.destroyed) return;
    const serverName = (socket as TLSSocket).servername || undefined;
    const target: Target | undefined = this.addressMap.targetOf(port, serverName);
    if (target === undefined) {
      this.log.warn(
        { client: socket.remoteAddress, serverName: untrusted(serverName) },
        'unknown SNI name; closing',
      );
      socket.destroy();
      return;
    }
    let principal: string | undefined;
    const tlsSocket = socket as TLSSocket;
    if (this.mapper && typeof tlsSocket.getPeerCertificate === 'function') {
      const cert = tlsSocket.getPeerCertificate();
      if (cert?.raw && tlsSocket.authorized) {
        try {
          principal = sslPrincipal(this.mapper, x500NameFromCertificate(cert.raw));
        } catch (e) {
          this.log.warn(
            { client: socket.remoteAddress, reason: (e as Error).message },
            'no principal mapping rule matched; closing',
          );
          socket.destroy();
          return;
        }
      }
    }
    const session = new ClientSession(
      socket,
      target,
      { ...this.deps, listener: this.cfg, addressMap: this.addressMap },
      { certificatePrincipal: principal, authDeadline },
    );
    this.sessions.add(session);
    socket.once('close', () => this.sessions.delete(session));
  }
}
