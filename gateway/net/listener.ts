/**
 * A client-facing listener: one bootstrap port plus one port per upstream broker (bound as brokers
 * become known), or a single TLS port routed by SNI name. Refuses connections over the limits or
 * from locked-out addresses before any byte is read, and turns a TLS client certificate into a
 * principal with Kafka's ssl.principal.mapping.rules.
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
import type { AddressMap, Target } from './address-map.js';
import type { ConnectionLimiter } from './connection-limiter.js';
import { reloadOnChange, tlsOptions } from './tls-context.js';

export class Listener {
  private readonly servers = new Map<number, Server>();
  private readonly mapper: SslPrincipalMapper | undefined;
  private stopReload: (() => void) | undefined;
  private readonly log: Logger;

  constructor(
    private readonly cfg: ListenerConfig,
    private readonly addressMap: AddressMap,
    private readonly deps: SessionDeps,
    private readonly limiter: ConnectionLimiter,
  ) {
    this.log = deps.log.child({ listener: cfg.name });
    this.mapper = cfg.tls ? new SslPrincipalMapper(cfg.tls.principalMappingRules) : undefined;
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
      ? createTlsServer(tlsOptions(this.cfg.tls), (s) => this.onConnection(s, port))
      : createNetServer((s) => this.onConnection(s, port));
    // TCP-level admission runs before the TLS handshake costs anything.
    server.on('connection', (raw: Socket) => this.admit(raw));
    server.on('tlsClientError', (err: Error, s: TLSSocket) =>
      this.log.warn({ client: s.remoteAddress, reason: err.message }, 'TLS handshake failed'),
    );
    server.on('error', (err) => this.log.error({ err: err.message, port }, 'listener error'));
    this.servers.set(port, server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.cfg.bind, () => {
        server.off('error', reject);
        this.log.info({ bind: this.cfg.bind, port, tls: Boolean(this.cfg.tls) }, 'listening');
        resolve();
      });
    });
  }

  private admit(raw: Socket): void {
    const address = raw.remoteAddress ?? 'unknown';
    const lockedFor = this.deps.authLimiter.lockedForMs(address);
    const refused = lockedFor > 0 ? 'locked-out' : this.limiter.admit(address);
    if (refused) {
      this.deps.metrics.connectionRejected(refused);
      this.log.warn({ client: address, reason: refused }, 'connection refused');
      raw.destroy();
      return;
    }
    raw.once('close', () => this.limiter.release(address));
  }

  private onConnection(socket: Socket, port: number): void {
    if (socket.destroyed) return;
    const serverName = (socket as TLSSocket).servername || undefined;
    const target: Target | undefined = this.addressMap.targetOf(port, serverName);
    if (target === undefined) {
      this.log.warn({ client: socket.remoteAddress, serverName }, 'unknown SNI name; closing');
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
    new ClientSession(
      socket,
      target,
      { ...this.deps, listener: this.cfg, addressMap: this.addressMap },
      principal,
    );
  }
}
