/**
 * One connection from the gateway to one upstream broker. Opening it connects (plaintext or TLS),
 * learns the broker's API versions, and authenticates as the gateway's service principal when
 * configured. After that it is a framed byte pipe: the session writes whole request frames and
 * receives whole response payloads, in order. Backpressure is the socket's own: `send` returns
 * false when the kernel buffer is full, and 'drain' follows.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
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
import { authenticateSasl } from '../../client/sasl.js';
import { BrokerConnectError, connectSocket, type BrokerAddress } from '../../client/socket.js';
import type { UpstreamConfig } from '../config/schema.js';
import type { ConnectionOptions } from '../../client/connection.js';
import { upstreamConnectionOptions } from './client-options.js';
import { upstreamReadSlabs, type Slab } from './read-slabs.js';

export type { BrokerAddress };

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
  /**
   * A view of the response's next bytes. It may live in a pooled read buffer: the listener must call
   * `release` exactly once when it no longer needs the bytes (after writing them).
   */
  'stream-data': [chunk: Buffer, release: () => void];
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
    private readonly input: ChunkSink,
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
    const input: ChunkSink = { onChunk: () => undefined };
    // TLS and SASL settings as the service principal; CA and password files are read per connection.
    const options = upstreamConnectionOptions(cfg, CLIENT_ID);
    const socket = await connectUpstream(address, options, input);
    const conn = new BrokerConnection(
      socket,
      input,
      new FrameReader({ maxFrameSize: maxFrameBytes }),
      address,
      maxFrameBytes,
    );
    try {
      await conn.setUp(options, cfg.connectTimeoutMs);
    } catch (e) {
      socket.destroy();
      throw e instanceof UpstreamError ? e : new UpstreamError((e as Error).message, address);
    }
    conn.attach();
    return conn;
  }

  /**
   * Writes a whole frame (already size-prefixed buffers); `onWritten` runs when the socket is done
   * with them. False means more than `budget` bytes are
   * waiting for the kernel: stop feeding and wait for 'drain'. Node's own 16 KiB high-water mark
   * would stop the flow after every large produce request and starve pipelining.
   */
  send(buffers: Buffer[], budget: number, onWritten?: () => void): boolean {
    if (this.closed) return true;
    this.socket.cork();
    const last = buffers.length - 1;
    for (let i = 0; i < last; i++) this.socket.write(buffers[i]!);
    // The callback runs once the kernel has every byte (or the socket failed): buffers may be reused.
    this.socket.write(buffers[last]!, onWritten);
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
    this.input.onChunk = (chunk, slab) => {
      try {
        this.onData(chunk, slab);
      } catch (e) {
        this.finish(e as Error);
      }
    };
    this.socket.on('drain', () => this.emit('drain'));
    this.socket.on('error', (e) => this.finish(e));
    this.socket.on('close', () => this.finish(undefined));
    this.socket.resume();
  }

  /**
   * Splits the byte stream into frames. A large frame whose start is seen while nothing else is
   * pending may be streamed (views of the read buffer, released by the listener); whole frames are
   * emitted as buffers of their own; partial ones are assembled by the FrameReader (bounded by the
   * maximum frame size). Bytes that outlive this call are copied out of a pooled read buffer.
   */
  private onData(chunk: Buffer, slab: Slab | undefined): void {
    const own = (b: Buffer): Buffer => (slab ? Buffer.from(b) : b);
    let off = 0;
    while (off < chunk.length) {
      if (this.streamRemaining > 0) {
        const n = Math.min(this.streamRemaining, chunk.length - off);
        this.streamRemaining -= n;
        if (slab) {
          slab.retain();
          this.emit('stream-data', chunk.subarray(off, off + n), () => slab.release());
        } else this.emit('stream-data', chunk.subarray(off, off + n), noop);
        off += n;
        if (this.streamRemaining === 0) this.emit('stream-end');
        continue;
      }
      const rest = chunk.length - off;
      if (this.reader.idle && rest >= 4) {
        const size = chunk.readInt32BE(off);
        if (size >= 0 && size <= this.maxFrameBytes && rest - 4 >= size) {
          this.emit('frame', own(chunk.subarray(off + 4, off + 4 + size)));
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
      for (const f of this.reader.push(own(off === 0 ? chunk : chunk.subarray(off)))) this.emit('frame', f);
      return;
    }
  }

  private finish(error: Error | undefined): void {
    const wasOpen = !this.closed;
    this.closed = true;
    this.socket.destroy();
    if (wasOpen || error) this.emit('close', error);
  }

  private async setUp(options: ConnectionOptions, timeoutMs: number): Promise<void> {
    let correlationId = SETUP_CORRELATION_BASE;
    const pending: Buffer[] = [];
    let waiter: ((b: Buffer) => void) | undefined;
    let failure: Error | undefined;
    this.input.onChunk = (chunk, slab): void => {
      try {
        for (const f of this.reader.push(slab ? Buffer.from(chunk) : chunk)) {
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
        const timer = setTimeout(() => done(new Error('no answer during connection set-up')), timeoutMs);
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
      if (this.apiVersions.errorCode !== ErrorCode.NONE)
        throw new Error(`ApiVersions failed with error ${this.apiVersions.errorCode}`);
      if (options.sasl) await authenticateSasl(request, options.sasl);
    } finally {
      this.input.onChunk = () => undefined;
      this.socket.pause();
    }
    if (pending.length > 0) throw new Error('unexpected frames during connection set-up');
  }
}

/** Where a connection's socket delivers what it reads; the connection swaps the handler as it goes. */
interface ChunkSink {
  /** `slab` is set when the chunk is a view of a pooled read buffer, valid only during the call. */
  onChunk(chunk: Buffer, slab: Slab | undefined): void;
}

const noop = (): void => undefined;

/**
 * Plaintext sockets read into pooled slabs (see read-slabs.ts); TLS sockets cannot (node:tls has no
 * `onread`) and deliver buffers of their own through 'data'.
 */
async function connectUpstream(
  address: BrokerAddress,
  options: ConnectionOptions,
  input: ChunkSink,
): Promise<Socket> {
  let slab: Slab | undefined;
  const onread = {
    buffer: (): Buffer => (slab = upstreamReadSlabs.take()).buffer,
    callback: (n: number): boolean => {
      const filled = slab!;
      input.onChunk(filled.buffer.subarray(0, n), filled);
      filled.release(); // the read's own reference; retained views keep the slab out of the pool
      return true; // keep reading (pausing is done with socket.pause())
    },
  };
  try {
    const { connectTimeoutMs, tls } = options;
    const socket = await connectSocket(address, { connectTimeoutMs, ...(tls ? { tls } : { onread }) });
    if (tls) socket.on('data', (chunk: Buffer) => input.onChunk(chunk, undefined));
    return socket;
  } catch (e) {
    throw new UpstreamError(e instanceof BrokerConnectError ? e.reason : String(e), address);
  }
}
