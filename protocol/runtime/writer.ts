import { KafkaCodecError } from './errors.js';
import type { RawTaggedField } from './reader.js';

function range(type: string, v: number): KafkaCodecError {
  return new KafkaCodecError('INVALID_VALUE', `${String(v)} is not a valid ${type}`);
}

/**
 * Growable output buffer. Encoders write straight into one Buffer; it doubles when full, so
 * encoding a message costs O(size) with a handful of reallocations and one final view.
 */
export class Writer {
  buf: Buffer;
  pos = 0;
  constructor(initialCapacity = 512) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  // Fixed-width integers are written byte by byte after one range check: Buffer#writeInt32BE
  // and friends validate generically and showed up as the top cost of encoding in profiles.
  int8(v: number): void {
    if ((v << 24) >> 24 !== v) throw range('int8', v);
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }
  int16(v: number): void {
    if ((v << 16) >> 16 !== v) throw range('int16', v);
    this.ensure(2);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
  }
  uint16(v: number): void {
    if ((v & 0xffff) !== v) throw range('uint16', v);
    this.int16((v << 16) >> 16);
  }
  int32(v: number): void {
    if ((v | 0) !== v) throw range('int32', v);
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
  }
  uint32(v: number): void {
    if (v >>> 0 !== v) throw range('uint32', v);
    this.int32(v | 0);
  }
  int64(v: bigint): void {
    this.ensure(8);
    this.pos = this.buf.writeBigInt64BE(v, this.pos);
  }
  float64(v: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }
  uuid(v: string): void {
    const b = Buffer.from(v, 'base64url');
    if (b.length !== 16 || v.length !== 22)
      throw new KafkaCodecError('INVALID_VALUE', `invalid uuid ${JSON.stringify(v)}`);
    this.ensure(16);
    b.copy(this.buf, this.pos);
    this.pos += 16;
  }

  uvarint(v: number): void {
    if (!(v >= 0 && v <= 0xffffffff) || !Number.isInteger(v)) {
      throw new KafkaCodecError('INVALID_VALUE', `unsigned varint out of range: ${v}`);
    }
    this.ensure(5);
    const buf = this.buf;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[this.pos++] = v;
  }
  varint(v: number): void {
    if (!(v >= -0x80000000 && v <= 0x7fffffff) || !Number.isInteger(v)) {
      throw new KafkaCodecError('INVALID_VALUE', `varint out of range: ${v}`);
    }
    this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }
  varlong(v: bigint): void {
    let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    this.ensure(10);
    const buf = this.buf;
    while (u >= 0x80n) {
      buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    buf[this.pos++] = Number(u);
  }
  /** Zig-zag varlong from a safe integer, without BigInt on the common path. */
  varlongNumber(v: number): void {
    if (!Number.isSafeInteger(v))
      throw new KafkaCodecError('INVALID_VALUE', `varlong not a safe integer: ${v}`);
    if (v >= -0x40000000 && v < 0x40000000) {
      this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
      return;
    }
    this.varlong(BigInt(v));
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(v: string): void {
    if (v == null) throw new KafkaCodecError('UNEXPECTED_NULL', 'non-nullable string is null');
    const n = Buffer.byteLength(v);
    if (n > 0x7fff) throw new KafkaCodecError('INVALID_VALUE', `string of ${n} bytes exceeds 32767`);
    this.int16(n);
    this.ensure(n);
    this.pos += this.buf.write(v, this.pos, n, 'utf8');
  }
  nullableString(v: string | null): void {
    if (v === null) this.int16(-1);
    else this.string(v);
  }
  compactString(v: string): void {
    if (v == null) throw new KafkaCodecError('UNEXPECTED_NULL', 'non-nullable string is null');
    const n = Buffer.byteLength(v);
    this.uvarint(n + 1);
    this.ensure(n);
    this.pos += this.buf.write(v, this.pos, n, 'utf8');
  }
  compactNullableString(v: string | null): void {
    if (v === null) this.uvarint(0);
    else this.compactString(v);
  }
  bytes(v: Uint8Array): void {
    if (v == null) throw new KafkaCodecError('UNEXPECTED_NULL', 'non-nullable bytes is null');
    this.int32(v.length);
    this.raw(v);
  }
  nullableBytes(v: Uint8Array | null): void {
    if (v === null) this.int32(-1);
    else this.bytes(v);
  }
  compactBytes(v: Uint8Array): void {
    if (v == null) throw new KafkaCodecError('UNEXPECTED_NULL', 'non-nullable bytes is null');
    this.uvarint(v.length + 1);
    this.raw(v);
  }
  compactNullableBytes(v: Uint8Array | null): void {
    if (v === null) this.uvarint(0);
    else this.compactBytes(v);
  }

  arrayLength(a: readonly unknown[] | null, nullable: boolean, field: string): void {
    if (a === null || a === undefined) {
      if (!nullable) throw new KafkaCodecError('UNEXPECTED_NULL', `non-nullable array ${field} is null`);
      this.int32(-1);
    } else this.int32(a.length);
  }
  compactArrayLength(a: readonly unknown[] | null, nullable: boolean, field: string): void {
    if (a === null || a === undefined) {
      if (!nullable) throw new KafkaCodecError('UNEXPECTED_NULL', `non-nullable array ${field} is null`);
      this.uvarint(0);
    } else this.uvarint(a.length + 1);
  }

  notInVersion(field: string, version: number): KafkaCodecError {
    return new KafkaCodecError(
      'FIELD_NOT_IN_VERSION',
      `field ${field} is set to a non-default value but version ${version} cannot carry it`,
    );
  }

  nullErr(field: string): KafkaCodecError {
    return new KafkaCodecError('UNEXPECTED_NULL', `non-nullable field ${field} is null`);
  }

  /** Tagged field value: written after the fact, then its uvarint size is inserted before it. */
  beginSized(): number {
    return this.pos;
  }
  endSized(start: number): void {
    const size = this.pos - start;
    let lenBytes = 1;
    for (let s = size; s >= 0x80; s = Math.floor(s / 128)) lenBytes++;
    this.ensure(lenBytes);
    const buf = this.buf;
    buf.copyWithin(start + lenBytes, start, this.pos);
    // write the size in place (no ensure(): that would only preserve bytes up to pos)
    let p = start;
    let s = size;
    while (s >= 0x80) {
      buf[p++] = (s & 0x7f) | 0x80;
      s = Math.floor(s / 128);
    }
    buf[p] = s;
    this.pos += lenBytes;
  }

  /** Writes the unknown tagged fields (sorted by tag) whose tag is below `tag`, from index i. */
  unknownTagsBelow(u: readonly RawTaggedField[], i: number, tag: number): number {
    while (i < u.length && u[i]!.tag < tag) {
      const f = u[i++]!;
      this.uvarint(f.tag);
      this.uvarint(f.data.length);
      this.raw(f.data);
    }
    return i;
  }
}
