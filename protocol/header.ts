// Request/response headers. Parsing a request header is the gateway's hot path, so it is
// hand-written: four fixed fields, the client id, and (header v2) a skipped tagged-field section.
import { apiKeyTable } from './generated/api-keys.js';
import { KafkaCodecError } from './runtime/errors.js';
import { Reader, type RawTaggedField } from './runtime/reader.js';
import { Writer } from './runtime/writer.js';

const API_VERSIONS = 18;

/** apiKey → first flexible version (or -1 if none / unknown). Dense array for a cheap lookup. */
const flexibleFrom: number[] = [];
for (const a of apiKeyTable) flexibleFrom[a.apiKey] = a.flexibleFrom ?? -1;

function isFlexible(apiKey: number, apiVersion: number): boolean {
  const f = flexibleFrom[apiKey];
  return f !== undefined && f >= 0 && apiVersion >= f;
}

/** Request header version (1 or 2) used by an API version; unknown API keys are read as v1. */
export function requestHeaderVersion(apiKey: number, apiVersion: number): 1 | 2 {
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

/** Response header version (0 or 1). ApiVersions responses always use v0 so old clients can read them. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === API_VERSIONS) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** null only for header v0 (which has no client id field). */
  clientId: string | null;
  headerVersion: 0 | 1 | 2;
  /** Bytes the header occupies from the start of the request (after the 4-byte size). */
  headerLength: number;
  /** Present only when a v2 header carried tagged fields (none are defined by Kafka today). */
  taggedFields?: RawTaggedField[];
}

/**
 * Parses the header at buf[offset...] (the request without its 4-byte size prefix).
 * Does not validate the API version, so the caller can still answer e.g. an ApiVersions request
 * of a version it does not support.
 */
export function decodeRequestHeader(
  buf: Buffer,
  offset = 0,
  end = buf.length,
  /** Override the version derived from the API (only header v0 needs this: no API of 4.3.1 uses it). */
  forceHeaderVersion?: 0 | 1 | 2,
): RequestHeader {
  const r = new Reader(buf, offset, end);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const headerVersion = forceHeaderVersion ?? requestHeaderVersion(apiKey, apiVersion);
  const clientId = headerVersion === 0 ? null : r.nullableString(); // never compact, even in header v2
  let taggedFields: RawTaggedField[] | undefined;
  if (headerVersion === 2) {
    const n = r.uvarint();
    for (let i = 0; i < n; i++) {
      const tag = r.uvarint();
      (taggedFields ??= []).push({ tag, data: r.raw(r.uvarint()) });
    }
  }
  const h: RequestHeader = {
    apiKey,
    apiVersion,
    correlationId,
    clientId,
    headerVersion,
    headerLength: r.pos - offset,
  };
  if (taggedFields) h.taggedFields = taggedFields;
  return h;
}

export interface RequestHeaderInput {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  taggedFields?: RawTaggedField[];
  /** Defaults to the version the API requires (1 or 2); 0 writes no client id. */
  headerVersion?: 0 | 1 | 2;
}

export function encodeRequestHeader(w: Writer, h: RequestHeaderInput): void {
  const version = h.headerVersion ?? requestHeaderVersion(h.apiKey, h.apiVersion);
  w.int16(h.apiKey);
  w.int16(h.apiVersion);
  w.int32(h.correlationId);
  if (version >= 1) w.nullableString(h.clientId);
  if (version === 2) writeTags(w, h.taggedFields);
}

export interface ResponseHeader {
  correlationId: number;
  headerVersion: 0 | 1;
  headerLength: number;
  taggedFields?: RawTaggedField[];
}

/** Parses a response header; the caller knows apiKey/apiVersion from the request it answers. */
export function decodeResponseHeader(
  apiKey: number,
  apiVersion: number,
  buf: Buffer,
  offset = 0,
  end = buf.length,
): ResponseHeader {
  const r = new Reader(buf, offset, end);
  const correlationId = r.int32();
  const headerVersion = responseHeaderVersion(apiKey, apiVersion);
  let taggedFields: RawTaggedField[] | undefined;
  if (headerVersion === 1) {
    const n = r.uvarint();
    for (let i = 0; i < n; i++) {
      const tag = r.uvarint();
      (taggedFields ??= []).push({ tag, data: r.raw(r.uvarint()) });
    }
  }
  const h: ResponseHeader = { correlationId, headerVersion, headerLength: r.pos - offset };
  if (taggedFields) h.taggedFields = taggedFields;
  return h;
}

export function encodeResponseHeader(
  w: Writer,
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  taggedFields?: RawTaggedField[],
): void {
  w.int32(correlationId);
  if (responseHeaderVersion(apiKey, apiVersion) === 1) writeTags(w, taggedFields);
}

function writeTags(w: Writer, tags: RawTaggedField[] | undefined): void {
  if (!tags || tags.length === 0) {
    w.uvarint(0);
    return;
  }
  w.uvarint(tags.length);
  w.unknownTagsBelow(tags, 0, Infinity);
}

/** Convenience for callers that hold a header-only buffer. */
export function encodeResponseHeaderBytes(apiKey: number, apiVersion: number, correlationId: number): Buffer {
  const w = new Writer(8);
  encodeResponseHeader(w, apiKey, apiVersion, correlationId);
  return w.finish();
}

export function assertKnownApiKey(apiKey: number): void {
  if (flexibleFrom[apiKey] === undefined)
    throw new KafkaCodecError('UNKNOWN_API_KEY', `unknown API key ${apiKey}`);
}
