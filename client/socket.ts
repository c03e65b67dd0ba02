/**
 * Opening a client socket to a Kafka broker: plaintext or TLS, with a connection timeout. Shared by
 * the gateway's upstream connections and the mirror's native clients, which differ only in where
 * their TLS settings come from (the caller maps its own configuration onto `SocketOptions`).
 */
import { connect as netConnect, type OnReadOpts, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface BrokerAddress {
  host: string;
  port: number;
}

export interface TlsOptions {
  /** PEM CA certificate(s); undefined = the system CAs. */
  ca?: string | Buffer;
  /** SNI / certificate name; defaults to the host when it is not an IP address. */
  serverName?: string;
  /** Verify the certificate chain (false accepts any certificate). */
  rejectUnauthorized: boolean;
  /** Check the certificate names the host (false keeps the chain check, skips the name check). */
  checkServerIdentity: boolean;
  /** PEM client certificate chain and private key, for brokers that authenticate clients by certificate (mTLS). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Passphrase of an encrypted private key (Kafka's ssl.key.password). */
  passphrase?: string;
}

export interface SocketOptions {
  tls?: TlsOptions;
  connectTimeoutMs: number;
  /**
   * Plaintext only: read into caller-supplied buffers instead of emitting 'data' (node:net's
   * `onread`; node:tls has no equivalent). Lets hot paths reuse read buffers.
   */
  onread?: OnReadOpts;
}

export class BrokerConnectError extends Error {
  constructor(
    /** What went wrong, without the address. */
    readonly reason: string,
    readonly address: BrokerAddress,
    readonly code?: string,
  ) {
    super(`${address.host}:${address.port}: ${reason}`);
    this.name = 'BrokerConnectError';
  }
}

export function connectSocket(address: BrokerAddress, opts: SocketOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new BrokerConnectError(`no connection within ${opts.connectTimeoutMs} ms`, address, 'ETIMEDOUT'),
      );
    }, opts.connectTimeoutMs);
    const onError = (e: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      reject(new BrokerConnectError(e.message, address, e.code));
    };
    const tls = opts.tls;
    const socket: Socket = tls
      ? tlsConnect({
          host: address.host,
          port: address.port,
          servername: tls.serverName ?? (isIp(address.host) ? undefined : address.host),
          ca: tls.ca,
          rejectUnauthorized: tls.rejectUnauthorized,
          ...(tls.checkServerIdentity ? {} : { checkServerIdentity: () => undefined }),
          ...(tls.cert === undefined ? {} : { cert: tls.cert }),
          ...(tls.key === undefined ? {} : { key: tls.key }),
          ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
          minVersion: 'TLSv1.2',
        }).once('secureConnect', () => {
          clearTimeout(timer);
          resolve(socket);
        })
      : netConnect({
          host: address.host,
          port: address.port,
          ...(opts.onread ? { onread: opts.onread } : {}),
        }).once('connect', () => {
          clearTimeout(timer);
          resolve(socket);
        });
    socket.setNoDelay(true);
    socket.once('error', onError);
    // Until the caller attaches its own handlers, later errors surface as 'close'.
    socket.on('error', () => undefined);
  });
}

const isIp = (host: string): boolean => /^[\d.]+$/.test(host) || host.includes(':');
