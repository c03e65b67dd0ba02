// Lazy frames: a request/response holding its original bytes, with the header parsed cheaply and
// the body decoded only when somebody asks. Unchanged frames are forwarded as their original bytes.
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, sizePrefix } from './codec.js';
import type { RequestApiKey, RequestTypes, ResponseTypes } from './codec.js';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  type RequestHeader,
  type ResponseHeader,
} from './header.js';

export class RequestFrame {
  private decoded: unknown = undefined;
  private replaced: Buffer | null = null;

  /** @param payload the request without its size prefix (header + body); not copied. */
  constructor(
    readonly payload: Buffer,
    readonly header: RequestHeader = decodeRequestHeader(payload),
  ) {}

  get apiKey(): number {
    return this.header.apiKey;
  }
  get apiVersion(): number {
    return this.header.apiVersion;
  }
  get correlationId(): number {
    return this.header.correlationId;
  }
  get clientId(): string | null {
    return this.header.clientId;
  }

  /** The original body bytes (a view). */
  get bodyBytes(): Buffer {
    return this.payload.subarray(this.header.headerLength);
  }

  /** Decodes the body on first call (cached). The caller names the API it checked. */
  body<K extends RequestApiKey>(apiKey: K): RequestTypes[K] {
    if (apiKey !== this.header.apiKey) throw new Error(`frame is API ${this.header.apiKey}, not ${apiKey}`);
    if (this.decoded === undefined) {
      this.decoded = decodeRequest(apiKey, this.header.apiVersion, this.payload, this.header.headerLength);
    }
    return this.decoded as RequestTypes[K];
  }

  /** Replaces the body; the frame is re-encoded with its original header bytes. */
  setBody<K extends RequestApiKey>(apiKey: K, body: RequestTypes[K]): void {
    this.decoded = body;
    this.replaced = encodeRequest(apiKey, this.header.apiVersion, body);
  }

  /** Overwrites the correlation id in place (the payload buffer is owned by this frame). */
  setCorrelationId(id: number): void {
    this.payload.writeInt32BE(id, 4);
    this.header.correlationId = id;
  }

  get modified(): boolean {
    return this.replaced !== null;
  }

  /** Buffers to write (size prefix + original or re-encoded bytes), suitable for writev / cork. */
  toBuffers(): Buffer[] {
    if (this.replaced === null) return [sizePrefix(this.payload.length), this.payload];
    const head = this.payload.subarray(0, this.header.headerLength);
    return [sizePrefix(head.length + this.replaced.length), head, this.replaced];
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.toBuffers());
  }
}

export class ResponseFrame {
  private decoded: unknown = undefined;
  private replaced: Buffer | null = null;
  readonly header: ResponseHeader;

  /** apiKey/apiVersion come from the request this response answers (matched by correlation id). */
  constructor(
    readonly payload: Buffer,
    readonly apiKey: number,
    readonly apiVersion: number,
  ) {
    this.header = decodeResponseHeader(apiKey, apiVersion, payload);
  }

  get correlationId(): number {
    return this.header.correlationId;
  }

  get bodyBytes(): Buffer {
    return this.payload.subarray(this.header.headerLength);
  }

  body<K extends RequestApiKey>(apiKey: K): ResponseTypes[K] {
    if (apiKey !== this.apiKey) throw new Error(`frame is API ${this.apiKey}, not ${apiKey}`);
    if (this.decoded === undefined) {
      this.decoded = decodeResponse(apiKey, this.apiVersion, this.payload, this.header.headerLength);
    }
    return this.decoded as ResponseTypes[K];
  }

  setBody<K extends RequestApiKey>(apiKey: K, body: ResponseTypes[K]): void {
    this.decoded = body;
    this.replaced = encodeResponse(apiKey, this.apiVersion, body);
  }

  setCorrelationId(id: number): void {
    this.payload.writeInt32BE(id, 0);
    this.header.correlationId = id;
  }

  get modified(): boolean {
    return this.replaced !== null;
  }

  toBuffers(): Buffer[] {
    if (this.replaced === null) return [sizePrefix(this.payload.length), this.payload];
    const head = this.payload.subarray(0, this.header.headerLength);
    return [sizePrefix(head.length + this.replaced.length), head, this.replaced];
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.toBuffers());
  }
}
