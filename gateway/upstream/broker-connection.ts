/**
 * One connection from the gateway to one upstream broker. Opening it connects (plaintext or TLS),
 * learns the broker's API versions, and authenticates as the gateway's service principal when
 * configured. After that it is a framed byte pipe: the session writes whole request frames and
 * receives whole response payloads, in order. Backpressure is the socket's own: `send` returns
 * false when the kernel buffer is full, and 'drain' follows.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  ApiKey,
  FrameReader,
  decodeResponseHeader,
  decodeResponse,
  encodeRequestFrame,
  type ApiVersionsResponse,
  type RequestApiKey,
  type RequestTypes,
  type ResponseTypes,
} from '../../protocol/index.js';
import { ScramClient } from '../../security/scram/index.js';
import type { UpstreamConfig } from '../config/schema.js';

export interface BrokerAddress {
  host: string;
  port: number;
}

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly address: BrokerAddress,
  ) {
    super(`upstream ${address.host}:${address.port}: ${message}`);
    this.name = 'UpstreamError';
  }
}

/** Correlation ids the gateway uses for its own set-up requests, before any client frame flows. */
const SETUP_CORRELATION_BASE = 0x7fff0000;
const CLIENT_ID = 'kgw-gateway';

export interface BrokerConnectionEvents {
  frame: [payload: Buffer];
  /** A large response passed through as it arrives (see `streamIf`): its start, its bytes, its end. */
  'stream-start': [correlationId: number, size: number];
  'stream-data': [chunk: Buffer];
  'stream-end': [];
  drain: [];
  close: [error: Error | undefined];
}

/** Responses at least this large may be streamed instead of assembled. */
export const STREAM_THRESHOLD = 64 * 1024;

export class BrokerConnection extends EventEmitter<BrokerConnectionEvents> {
  private closed = false;
  apiVersions!: ApiVersionsResponse;
  /** Bytes of the response being streamed still to come (0: none). */
  private streamRemaining = 0;
  /**
   * Asked when a large response starts arriving: true streams it ('stream-*' events) instead of
   * assembling it first, so its transfer to the client overlaps its transfer from the broker.
   */
  streamIf: (correlationId: number, size: number) => boolean = () => false;

  private constructor(
    private readonly socket: Socket,
    private readonly reader: FrameReader,
    readonly address: BrokerAddress,
    private readonly maxFrameBytes: number,
  ) {
    super();
  }

  static async open(
    address: BrokerAddress,
    cfg: UpstreamConfig,
    maxFrameBytes: number,
  ): Promise<BrokerConnection> {
    const socket = await connectSocket(address, cfg);
    const conn = new BrokerConnection(
      socket,
      new FrameReader({ maxFrameSize: maxFrameBytes }),
      address,
      maxFrameBytes,
    );
    try {
      await conn.setUp(cfg);
    } catch (e) {
      socket.destroy();
      throw e instanceof UpstreamError ? e : new UpstreamError((e as Error).message, address);
    }
    conn.attach();
    return conn;
  }

  /**
   * Writes a whole frame (already size-prefixed buffers). False means more than `budget` bytes are
   * waiting for the kernel: stop feeding and wait for 'drain'. Node's own 16 KiB high-water mark
   * would stop the flow after every large produce request and starve pipelining.
   */
  send(buffers: Buffer[], budget: number): boolean {
    if (this.closed) return true;
    this.socket.cork();
    for (const b of buffers) this.socket.write(b);
    this.socket.uncork();
    return this.socket.writableLength <= budget;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  private attach(): void {
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.onData(chunk);
      } catch (e) {
        this.finish(e as Error);
      }
    });
    this.socket.on('drain', () => this.emit('drain'));
    this.socket.on('error', (e) => this.finish(e));
    this.socket.on('close', () => this.finish(undefined));
    this.socket.resume();
  }

  /**
   * Splits the byte stream into frames. Whole frames inside a chunk are emitted as views; a large
   * frame whose start is seen while nothing else is pending may be streamed; everything else is
   * assembled by the FrameReader (bounded by the maximum frame size).
   */
  private onData(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.streamRemaining > 0) {
        const n = Math.min(this.streamRemaining, chunk.length - off);
        this.streamRemaining -= n;
        this.emit('stream-data', chunk.subarray(off, off + n));
        off += n;
        if (this.streamRemaining === 0) this.emit('stream-end');
        continue;
      }
      const rest = chunk.length - off;
      if (this.reader.idle && rest >= 4) {
        const size = chunk.readInt32BE(off);
        if (size >= 0 && size <= this.maxFrameBytes && rest - 4 >= size) {
          this.emit('frame', chunk.subarray(off + 4, off + 4 + size));
          off += 4 + size;
          continue;
        }
        if (rest >= 8 && size >= STREAM_THRESHOLD && size <= this.maxFrameBytes) {
          const correlationId = chunk.readInt32BE(off + 4);
          if (this.streamIf(correlationId, size)) {
            this.emit('stream-start', correlationId, size);
            this.streamRemaining = size;
            off += 4;
            continue;
          }
        }
      }
      for (const f of this.reader.push(off === 0 ? chunk : chunk.subarray(off))) this.emit('frame', f);
      return;
    }
  }

  private finish(error: Error | undefined): void {
    const wasOpen = !this.closed;
    this.closed = true;
    this.socket.destroy();
    if (wasOpen || error) this.emit('close', error);
  }

  private async setUp(cfg: UpstreamConfig): Promise<void> {
    let correlationId = SETUP_CORRELATION_BASE;
    const pending: Buffer[] = [];
    let waiter: ((b: Buffer) => void) | undefined;
    let failure: Error | undefined;
    const onData = (chunk: Buffer): void => {
      try {
        for (const f of this.reader.push(chunk)) {
          if (waiter) {
            const w = waiter;
            waiter = undefined;
            w(f);
          } else pending.push(f);
        }
      } catch (e) {
        failure = e as Error;
      }
    };
    this.socket.on('data', onData);
    const nextFrame = (): Promise<Buffer> => {
      const ready = pending.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const done = (err: Error | undefined, frame?: Buffer): void => {
          clearTimeout(timer);
          this.socket.off('close', onClose);
          waiter = undefined;
          if (err) reject(err);
          else resolve(frame!);
        };
        const onClose = (): void => done(failure ?? new Error('connection closed during set-up'));
        const timer = setTimeout(
          () => done(new Error('no answer during connection set-up')),
          cfg.connectTimeoutMs,
        );
        waiter = (f) => done(undefined, f);
        this.socket.once('close', onClose);
      });
    };
    const request = async <K extends RequestApiKey>(
      apiKey: K,
      version: number,
      body: RequestTypes[K],
    ): Promise<ResponseTypes[K]> => {
      const id = correlationId++;
      this.socket.write(
        encodeRequestFrame({ apiKey, apiVersion: version, correlationId: id, clientId: CLIENT_ID }, body),
      );
      const payload = await nextFrame();
      const header = decodeResponseHeader(apiKey, version, payload);
      if (header.correlationId !== id) throw new Error(`correlation id ${header.correlationId} != ${id}`);
      return decodeResponse(apiKey, version, payload, header.headerLength);
    };
    try {
      this.apiVersions = await request(ApiKey.ApiVersions, 3, {
        clientSoftwareName: 'kgw',
        clientSoftwareVersion: '0.1.0',
      });
      if (this.apiVersions.errorCode !== 0)
        throw new Error(`ApiVersions failed with error ${this.apiVersions.errorCode}`);
      if (cfg.sasl) await authenticate(request, cfg.sasl);
    } finally {
      this.socket.off('data', onData);
      this.socket.pause();
    }
    if (pending.length > 0) throw new Error('unexpected frames during connection set-up');
  }
}

type SetupRequest = <K extends RequestApiKey>(
  apiKey: K,
  version: number,
  body: RequestTypes[K],
) => Promise<ResponseTypes[K]>;

async function authenticate(request: SetupRequest, sasl: NonNullable<UpstreamConfig['sasl']>): Promise<void> {
  const password = sasl.password ?? readFileSync(sasl.passwordFile!, 'utf8').trim();
  const handshake = await request(ApiKey.SaslHandshake, 1, { mechanism: sasl.mechanism });
  if (handshake.errorCode !== 0) {
    throw new Error(
      `broker refused SASL mechanism ${sasl.mechanism} (offers ${handshake.mechanisms.join(', ')})`,
    );
  }
  const step = async (authBytes: Buffer): Promise<Buffer> => {
    const r = await request(ApiKey.SaslAuthenticate, 2, { authBytes });
    if (r.errorCode !== 0)
      throw new Error(`authentication as ${sasl.username} failed: ${r.errorMessage ?? r.errorCode}`);
    return r.authBytes;
  };
  if (sasl.mechanism === 'PLAIN') {
    await step(Buffer.from(`\0${sasl.username}\0${password}`, 'utf8'));
    return;
  }
  const client = new ScramClient({ mechanism: sasl.mechanism, username: sasl.username, password });
  const serverFirst = await step(client.first());
  const serverFinal = await step(client.final(serverFirst));
  client.verify(serverFinal);
}

function connectSocket(address: BrokerAddress, cfg: UpstreamConfig): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UpstreamError(`no connection within ${cfg.connectTimeoutMs} ms`, address));
    }, cfg.connectTimeoutMs);
    const onError = (e: Error): void => {
      clearTimeout(timer);
      reject(new UpstreamError(e.message, address));
    };
    const socket: Socket = cfg.tls
      ? tlsConnect({
          host: address.host,
          port: address.port,
          servername: cfg.tls.serverName ?? (isIp(address.host) ? undefined : address.host),
          ca: cfg.tls.ca ? readFileSync(cfg.tls.ca) : undefined,
          rejectUnauthorized: !cfg.tls.insecureSkipVerify,
          minVersion: 'TLSv1.2',
        }).once('secureConnect', () => {
          clearTimeout(timer);
          resolve(socket);
        })
      : netConnect({ host: address.host, port: address.port }).once('connect', () => {
          clearTimeout(timer);
          resolve(socket);
        });
    socket.setNoDelay(true);
    socket.once('error', onError);
    // Until the connection's own handlers are attached, errors surface as 'close' (set-up fails).
    socket.on('error', () => undefined);
  });
}

const isIp = (host: string): boolean => /^[\d.]+$/.test(host) || host.includes(':');
