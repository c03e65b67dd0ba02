/**
 * Structured mutations of a valid frame. Most change one wire value where the encoder put it —
 * a length one off or huge or negative, a varint over-long, truncated or at its maximum, a
 * tagged-field size that lies, an array count that does not match — and some act on record
 * batches inside records fields (batch length, magic, CRC, compression bits, record count,
 * record varints, with the CRC recomputed half the time so decoding goes past the checksum).
 * The rest are blind: bit flips, inserted, deleted or duplicated spans, truncation.
 */
import { crc32c } from '../../protocol/index.js';
import type { GeneratedFrame } from './corpus.js';
import type { Rng } from './corpus.js';
import type { Site } from './site-writer.js';

export interface Mutant {
  bytes: Buffer;
  /** What was done, for the report of a finding. */
  ops: string[];
  /** False when the size prefix no longer matches the bytes after it. */
  framed: boolean;
}

const INT_VALUES = [0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, -0x8000, 0xffff, 0x7fffffff, -0x80000000];

function writeInt(buf: Buffer, at: number, width: number, v: number): void {
  if (width === 1) buf.writeInt8((v << 24) >> 24, at);
  else if (width === 2) buf.writeInt16BE((v << 16) >> 16, at);
  else if (width === 4) buf.writeInt32BE(v | 0, at);
  else buf.writeBigInt64BE(BigInt(v), at + width - 8);
}

function uvarintBytes(v: number): Buffer {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function readUvarint(buf: Buffer, start: number, end: number): number {
  let v = 0;
  let mul = 1;
  for (let p = start; p < end; p++) {
    v += (buf[p]! & 0x7f) * mul;
    mul *= 128;
  }
  return v;
}

/** New encodings for a varint site: boundary values, over-long and malformed forms. */
function varintReplacement(old: number, rng: Rng): { bytes: Buffer; what: string } {
  switch (rng.int(0, 9)) {
    case 0:
      return { bytes: uvarintBytes(0), what: 'varint=0' };
    case 1:
      return { bytes: uvarintBytes(old + 1), what: 'varint+1' };
    case 2:
      return { bytes: uvarintBytes(Math.max(0, old - 1)), what: 'varint-1' };
    case 3:
      return { bytes: uvarintBytes(0xffffffff), what: 'varint=max' };
    case 4:
      return { bytes: Buffer.from([0x80, 0x80, 0x80, 0x80, 0x00]), what: 'varint over-long zero' };
    case 5:
      return { bytes: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), what: 'varint 6 bytes' };
    case 6:
      return { bytes: Buffer.from([0x80]), what: 'varint continuation without end' };
    case 7:
      return {
        bytes: Buffer.concat([Buffer.from([0x80 | (old & 0x7f)]), uvarintBytes(old >> 7)]),
        what: 'varint padded',
      };
    case 8:
      return { bytes: uvarintBytes(rng.int(0, 0x7fffffff)), what: 'varint random' };
    default:
      return { bytes: uvarintBytes(old * 2 + 1), what: 'varint doubled' };
  }
}

function splice(buf: Buffer, start: number, end: number, insert: Buffer): Buffer {
  return Buffer.concat([buf.subarray(0, start), insert, buf.subarray(end)]);
}

/** One mutation of the value at `site`. */
function mutateSite(buf: Buffer, site: Site, rng: Rng, ops: string[]): Buffer {
  const width = site.end - site.start;
  if (site.kind === 'int' || site.kind === 'int-length') {
    const out = Buffer.from(buf);
    const old = width <= 4 && width > 0 ? out.readIntBE(site.start, width) : 0;
    const v = rng.chance(0.6) ? INT_VALUES[rng.int(0, INT_VALUES.length - 1)]! : old + rng.int(-2, 2);
    if (width > 0) writeInt(out, site.start, Math.min(width, 8), v);
    ops.push(`${site.kind}@${site.start}=${v}`);
    return out;
  }
  if (site.kind === 'bytes') return mutateBytesSite(buf, site, rng, ops);
  const old = readUvarint(buf, site.start, site.end);
  const r = varintReplacement(old, rng);
  ops.push(`${site.kind}@${site.start}: ${r.what}`);
  return splice(buf, site.start, site.end, r.bytes);
}

/** Inside a bytes/records payload: batch-aware when it holds a v2 record batch, else blind. */
function mutateBytesSite(buf: Buffer, site: Site, rng: Rng, ops: string[]): Buffer {
  const len = site.end - site.start;
  const isBatch = len >= 61 && buf.readInt8(site.start + 16) === 2;
  const out = Buffer.from(buf);
  if (!isBatch || rng.chance(0.2)) {
    if (len > 0) out[site.start + rng.int(0, len - 1)] = rng.int(0, 255);
    ops.push(`bytes@${site.start} byte`);
    return out;
  }
  const b = site.start;
  const field = rng.int(0, 6);
  switch (field) {
    case 0:
      out.writeInt32BE(INT_VALUES[rng.int(0, INT_VALUES.length - 1)]!, b + 8);
      ops.push('batch length');
      break;
    case 1:
      out.writeInt8(rng.int(-2, 3), b + 16);
      ops.push('batch magic');
      break;
    case 2:
      out.writeInt16BE(rng.int(0, 0xffff) - 0x8000, b + 21);
      ops.push('batch attributes');
      break;
    case 3:
      out.writeInt32BE(INT_VALUES[rng.int(0, INT_VALUES.length - 1)]!, b + 57);
      ops.push('batch record count');
      break;
    case 4:
      out.writeInt32BE(rng.int(-5, 5), b + 23);
      ops.push('batch lastOffsetDelta');
      break;
    default: {
      // Inside the records (or the compressed stream): varints and lengths live here.
      const at = b + 61 + rng.int(0, Math.max(0, len - 62));
      if (at < site.end) out[at] = [0x00, 0x01, 0x7f, 0x80, 0xff, rng.int(0, 255)][rng.int(0, 5)]!;
      ops.push(`batch body byte @${at - b}`);
    }
  }
  // Half the time the CRC is made right again, so the decoder goes past the checksum.
  const batchLength = out.readInt32BE(b + 8);
  const batchEnd = b + 12 + batchLength;
  if (field !== 0 && rng.chance(0.5) && batchEnd <= site.end && batchLength >= 49) {
    out.writeUInt32BE(crc32c(out, b + 21, batchEnd), b + 17);
    ops.push('crc fixed');
  }
  return out;
}

/** A blind mutation anywhere in the frame. */
function mutateBlind(buf: Buffer, rng: Rng, ops: string[]): Buffer {
  if (buf.length <= 4) return Buffer.concat([buf, Buffer.from([rng.int(0, 255)])]);
  const at = rng.int(4, buf.length - 1);
  switch (rng.int(0, 5)) {
    case 0: {
      const out = Buffer.from(buf);
      out[at] = out[at]! ^ (1 << rng.int(0, 7));
      ops.push(`bitflip@${at}`);
      return out;
    }
    case 1: {
      const n = rng.int(1, 8);
      ops.push(`insert ${n}@${at}`);
      return splice(buf, at, at, rng.bytes(n));
    }
    case 2: {
      const n = rng.int(1, Math.min(16, buf.length - at));
      ops.push(`delete ${n}@${at}`);
      return splice(buf, at, at + n, Buffer.alloc(0));
    }
    case 3: {
      const n = rng.int(1, Math.min(32, buf.length - at));
      ops.push(`duplicate ${n}@${at}`);
      return splice(buf, at, at, buf.subarray(at, at + n));
    }
    case 4:
      ops.push(`truncate@${at}`);
      return buf.subarray(0, at);
    default: {
      const out = Buffer.from(buf);
      for (let i = rng.int(1, 4); i > 0; i--) out[rng.int(4, out.length - 1)] = rng.int(0, 255);
      ops.push('random bytes');
      return out;
    }
  }
}

/** 1-3 mutations of a valid frame; the size prefix is made to match again unless `keepPrefix`. */
export function mutate(frame: GeneratedFrame, rng: Rng, opts: { fixSize?: number } = {}): Mutant {
  const ops: string[] = [];
  let bytes = frame.bytes;
  // Sites are positions in the original frame; after a splice, later ones are only approximate,
  // which is fine for a mutator (it stays within the frame).
  for (let i = rng.int(1, 3); i > 0; i--) {
    const sites = frame.sites.filter((s) => s.start >= 4 && s.end <= bytes.length);
    if (sites.length > 0 && rng.chance(0.7))
      bytes = mutateSite(bytes, sites[rng.int(0, sites.length - 1)]!, rng, ops);
    else bytes = mutateBlind(bytes, rng, ops);
  }
  bytes = Buffer.from(bytes);
  let framed = true;
  if (bytes.length >= 4) {
    if (rng.chance(opts.fixSize ?? 0.95)) bytes.writeInt32BE(bytes.length - 4, 0);
    else {
      const lie = [0, 1, -1, bytes.length - 3, bytes.length + 100, 0x7fffffff][rng.int(0, 5)]!;
      bytes.writeInt32BE(lie, 0);
      framed = lie === bytes.length - 4;
      ops.push(`size prefix=${lie}`);
    }
  }
  return { bytes, ops, framed };
}
