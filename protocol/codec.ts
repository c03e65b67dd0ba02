// Body codecs dispatched by API key and version, and whole-frame encoders (size + header + body).
import { apiKeyTable, type ApiKeyNumber } from './generated/api-keys.js';
import {
  requestDecoders,
  requestEncoders,
  responseDecoders,
  responseEncoders,
  type DecodeFn,
  type EncodeFn,
  type RequestTypes,
  type ResponseTypes,
} from './generated/registry.js';
import { encodeRequestHeader, encodeResponseHeader, type RequestHeaderInput } from './header.js';
import { KafkaCodecError } from './runtime/errors.js';
import { Reader, type RawTaggedField } from './runtime/reader.js';
import { Writer } from './runtime/writer.js';
import type { ApiKeyInfo } from './schema-types.js';

export type { RequestTypes, ResponseTypes };
export type RequestApiKey = keyof RequestTypes & ApiKeyNumber;

const infoByKey: (ApiKeyInfo | undefined)[] = [];
for (const a of apiKeyTable) infoByKey[a.apiKey] = a;

/** The table entry for an API key, or undefined if this release does not know it. */
export function apiKeyInfo(apiKey: number): ApiKeyInfo | undefined {
  return infoByKey[apiKey];
}

/** True if the API key is known and the version is within its valid request versions. */
export function isSupportedVersion(apiKey: number, version: number): boolean {
  const i = infoByKey[apiKey];
  return i !== undefined && !i.removed && version >= i.minVersion && version <= i.maxVersion;
}

function check(kind: 'request' | 'response', apiKey: number, version: number): void {
  const i = infoByKey[apiKey];
  if (i === undefined || i.removed) throw new KafkaCodecError('UNKNOWN_API_KEY', `unknown API key ${apiKey}`);
  const min = kind === 'request' ? i.minVersion : i.responseMinVersion;
  const max = kind === 'request' ? i.maxVersion : i.responseMaxVersion;
  if (!Number.isInteger(version) || version < min || version > max) {
    throw new KafkaCodecError(
      'UNSUPPORTED_VERSION',
      `${i.name} ${kind} version ${version} is outside ${min}-${max}`,
    );
  }
}

function decodeWith(
  fn: DecodeFn | undefined,
  version: number,
  buf: Buffer,
  offset: number,
  end: number,
): unknown {
  const r = new Reader(buf, offset, end);
  const m = fn!(r, version);
  if (r.pos !== end) {
    throw new KafkaCodecError('TRAILING_BYTES', `${end - r.pos} bytes left after the message body`);
  }
  return m;
}

/** Runs an encoder, turning JS range/type errors from bad field values into KafkaCodecError. */
function guard(fn: EncodeFn, w: Writer, version: number, body: unknown): void {
  try {
    fn(w, version, body as never);
  } catch (e) {
    if (e instanceof KafkaCodecError) throw e;
    throw new KafkaCodecError('INVALID_VALUE', `cannot encode: ${(e as Error).message}`);
  }
}

/** Decodes a request body occupying buf[offset, end) exactly. */
export function decodeRequest<K extends RequestApiKey>(
  apiKey: K,
  version: number,
  buf: Buffer,
  offset = 0,
  end = buf.length,
): RequestTypes[K] {
  check('request', apiKey, version);
  return decodeWith(requestDecoders[apiKey], version, buf, offset, end) as RequestTypes[K];
}

export function decodeResponse<K extends RequestApiKey>(
  apiKey: K,
  version: number,
  buf: Buffer,
  offset = 0,
  end = buf.length,
): ResponseTypes[K] {
  check('response', apiKey, version);
  return decodeWith(responseDecoders[apiKey], version, buf, offset, end) as ResponseTypes[K];
}

/** Encodes a request body (no size, no header). */
export function encodeRequest<K extends RequestApiKey>(
  apiKey: K,
  version: number,
  body: RequestTypes[K],
): Buffer {
  check('request', apiKey, version);
  const w = new Writer();
  guard(requestEncoders[apiKey]!, w, version, body);
  return w.finish();
}

export function encodeResponse<K extends RequestApiKey>(
  apiKey: K,
  version: number,
  body: ResponseTypes[K],
): Buffer {
  check('response', apiKey, version);
  const w = new Writer();
  guard(responseEncoders[apiKey]!, w, version, body);
  return w.finish();
}

/** A whole request as written to the socket: int32 size, header, body. */
export function encodeRequestFrame<K extends RequestApiKey>(
  header: RequestHeaderInput & { apiKey: K },
  body: RequestTypes[K],
): Buffer {
  check('request', header.apiKey, header.apiVersion);
  const w = new Writer();
  w.int32(0);
  encodeRequestHeader(w, header);
  guard(requestEncoders[header.apiKey]!, w, header.apiVersion, body);
  w.buf.writeInt32BE(w.pos - 4, 0);
  return w.finish();
}

/** A whole response as written to the socket: int32 size, header (v0/v1 as the API requires), body. */
export function encodeResponseFrame<K extends RequestApiKey>(
  apiKey: K,
  version: number,
  correlationId: number,
  body: ResponseTypes[K],
  headerTaggedFields?: RawTaggedField[],
): Buffer {
  check('response', apiKey, version);
  const w = new Writer();
  w.int32(0);
  encodeResponseHeader(w, apiKey, version, correlationId, headerTaggedFields);
  guard(responseEncoders[apiKey]!, w, version, body);
  w.buf.writeInt32BE(w.pos - 4, 0);
  return w.finish();
}

/** Prepends the 4-byte size to a payload (header + body). */
export function sizePrefix(payloadLength: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(payloadLength, 0);
  return b;
}
