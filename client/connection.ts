/**
 * A client connection to one Kafka broker with request/response semantics: connect (plaintext or
 * TLS), ApiVersions, SASL, then `request()` any API with pipelining. Kafka answers requests on one
 * connection in the order they were sent, so responses are matched to a FIFO of pending requests
 * (and the correlation id checked). A timed-out request closes the connection, as Kafka's Java
 * client does: later answers on it could no longer be matched safely.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { Socket } from 'node:net';
import { apiKeyTable, ApiKey } from '../protocol/generated/api-keys.js';
import type { ApiVersionsResponse } from '../protocol/generated/messages.js';
import {
  decodeResponse,
  encodeRequestFrame,
  type RequestApiKey,
  type RequestTypes,
  type ResponseTypes,
} from '../protocol/codec.js';
import { FrameReader } from '../protocol/frame-reader.js';
import { decodeResponseHeader } from '../protocol/header.js';
import { authenticateSasl, type SaslCredentials } from './sasl.js';
import { connectSocket, type BrokerAddress, type SocketOptions } from './socket.js';

export interface ConnectionOptions extends SocketOptions {
  clientId: string;
  sasl?: SaslCredentials;
  /** Time a request may wait for its answer. */
  requestTimeoutMs: number;
  /** Largest response accepted (default 128 MiB). */
  maxFrameBytes?: number;
}

/** The connection failed or closed; requests on it did not get (or lost) their answer. Retriable. */
export class ConnectionError extends Error {
  readonly retriable = true;
  constructor(
    message: string,
    readonly address: BrokerAddress,
  ) {
    super(`${address.host}:${address.port}: ${message}`);
    this.name = 'ConnectionError';
  }
}

interface Pending {
  correlationId: number;
  apiKey: RequestApiKey;
  version: number;
  resolve: (body: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class KafkaClientConnection {
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  private failure: Error | undefined;
  apiVersions!: ApiVersionsResponse;

  private constructor(
    private readonly socket: Socket,
    readonly address: BrokerAddress,
    private readonly opts: ConnectionOptions,
  ) {
    const reader = new FrameReader({ maxFrameSize: opts.maxFrameBytes ?? 128 * 1024 * 1024 });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const payload of reader.push(chunk)) this.onFrame(payload);
      } catch (e) {
        this.fail(new ConnectionError(`bad response: ${(e as Error).message}`, address));
      }
    });
    socket.on('error', (e) => this.fail(new ConnectionError(e.message, address)));
    socket.on('close', () => this.fail(new ConnectionError('connection closed', address)));
  }

  static async open(address: BrokerAddress, opts: ConnectionOptions): Promise<KafkaClientConnection> {
    let socket: Socket;
    try {
      socket = await connectSocket(address, opts);
    } catch (e) {
      throw new ConnectionError((e as { reason?: string }).reason ?? (e as Error).message, address);
    }
    const conn = new KafkaClientConnection(socket, address, opts);
    try {
      conn.apiVersions = await conn.request(ApiKey.ApiVersions, 3, {
        clientSoftwareName: 'kgw',
        clientSoftwareVersion: '0.1.0',
      });
      if (conn.apiVersions.errorCode !== ErrorCode.NONE)
        throw new Error(`ApiVersions failed with error ${conn.apiVersions.errorCode}`);
      if (opts.sasl) await authenticateSasl((k, v, b) => conn.request(k, v, b), opts.sasl);
    } catch (e) {
      conn.close();
      throw e;
    }
    return conn;
  }

  get isOpen(): boolean {
    return this.failure === undefined;
  }

  /**
   * The highest version of `apiKey` both this code (at most `max`) and the broker speak, at least
   * `min`; throws naming the API when there is none.
   */
  version(apiKey: RequestApiKey, min: number, max: number): number {
    const theirs = this.apiVersions.apiKeys.find((k) => k.apiKey === apiKey);
    const name = apiKeyTable.find((i) => i.apiKey === apiKey)?.name ?? String(apiKey);
    if (theirs === undefined) throw new Error(`${this.where()}: broker does not offer ${name}`);
    const v = Math.min(max, theirs.maxVersion);
    if (v < min || v < theirs.minVersion)
      throw new Error(
        `${this.where()}: ${name} versions ${theirs.minVersion}-${theirs.maxVersion} offered, ${min}-${max} needed`,
      );
    return v;
  }

  request<K extends RequestApiKey>(
    apiKey: K,
    version: number,
    body: RequestTypes[K],
  ): Promise<ResponseTypes[K]> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    const frame = encodeRequestFrame(
      { apiKey, apiVersion: version, correlationId, clientId: this.opts.clientId },
      body,
    );
    return new Promise<ResponseTypes[K]>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.fail(new ConnectionError(`no answer within ${this.opts.requestTimeoutMs} ms`, this.address)),
        this.opts.requestTimeoutMs,
      );
      this.pending.push({
        correlationId,
        apiKey,
        version,
        resolve: resolve as (b: unknown) => void,
        reject,
        timer,
      });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.fail(new ConnectionError('connection closed by the client', this.address));
  }

  private onFrame(payload: Buffer): void {
    const p = this.pending.shift();
    if (p === undefined) throw new Error('answer without a request');
    clearTimeout(p.timer);
    const header = decodeResponseHeader(p.apiKey, p.version, payload);
    if (header.correlationId !== p.correlationId)
      throw new Error(`correlation id ${header.correlationId}, expected ${p.correlationId}`);
    let body: unknown;
    try {
      body = decodeResponse(p.apiKey, p.version, payload, header.headerLength);
    } catch (e) {
      p.reject(e as Error);
      return;
    }
    p.resolve(body);
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.socket.destroy();
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(e);
    }
  }

  private where(): string {
    return `${this.address.host}:${this.address.port}`;
  }
}
