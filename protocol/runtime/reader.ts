import { KafkaCodecError, truncated } from './errors.js';

/** A raw tagged field the schema does not know; kept so that re-encoding is byte-exact. */
export interface RawTaggedField {
  tag: number;
  data: Buffer;
}

const EMPTY = Buffer.alloc(0);

/**
 * Bounds-checked cursor over a Buffer. Every read checks the bytes left first, and every length read
 * from the wire is checked against the bytes left before anything is allocated, so a hostile
 * length can never make us allocate more than the frame we already hold.
 * Bytes/records values are zero-copy views (subarray) of the input buffer.
 */
export class Reader {
  pos: number;
  end: number;
  constructor(
    readonly buf: Buffer,
    pos = 0,
    end = buf.length,
  ) {
    this.pos = pos;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): number {
    const p = this.pos;
    if (p + n > this.end) throw truncated(n, this.end - p);
    this.pos = p + n;
    return p;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  uint8(): number {
    return this.buf[this.need(1)]!;
  }
  bool(): boolean {
    return this.buf[this.need(1)] !== 0;
  }
  int16(): number {
    const p = this.need(2);
    const b = this.buf;
    return ((b[p]! << 24) >> 16) | b[p + 1]!;
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    const p = this.need(4);
    const b = this.buf;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  /** Kafka Uuid, rendered like Kafka's Uuid.toString(): URL-safe base64 without padding. */
  uuid(): string {
    const p = this.need(16);
    return this.buf.toString('base64url', p, p + 16);
  }

  /** Unsigned varint of at most 5 bytes (Kafka's readUnsignedVarint), as a non-negative number. */
  uvarint(): number {
    const buf = this.buf;
    let p = this.pos;
    if (p < this.end) {
      const b = buf[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
    }
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (p >= this.end) throw truncated(1, 0);
      const b = buf[p++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (result > 0xffffffff) break;
        this.pos = p;
        return result;
      }
      mul *= 128;
    }
    throw new KafkaCodecError('INVALID_VARINT', 'unsigned varint longer than 5 bytes');
  }

  /** Zig-zag signed varint (32-bit). */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zig-zag signed varlong (64-bit, at most 10 bytes). */
  varlong(): bigint {
    const buf = this.buf;
    let p = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (p >= this.end) throw truncated(1, 0);
      const b = buf[p++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return (result >> 1n) ^ -(result & 1n);
      }
      shift += 7n;
    }
    throw new KafkaCodecError('INVALID_VARINT', 'varlong longer than 10 bytes');
  }

  /** Zig-zag varlong returned as a number; throws if it does not fit in a double exactly. */
  varlongNumber(): number {
    const buf = this.buf;
    let p = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (p >= this.end) throw truncated(1, 0);
      const b = buf[p++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = p;
        // zig-zag decode without 32-bit operators
        return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      }
      mul *= 128;
    }
    const big = this.varlong(); // re-read from the start with exact arithmetic
    if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new KafkaCodecError('INVALID_VALUE', `varlong ${big} exceeds a safe integer`);
    }
    return Number(big);
  }

  /** Checks a wire length against the bytes left, so nothing is allocated from an untrusted length. */
  private len(n: number, what: string): number {
    if (n > this.end - this.pos) {
      throw new KafkaCodecError(
        'INVALID_LENGTH',
        `${what} length ${n} exceeds the ${this.end - this.pos} bytes left`,
      );
    }
    return n;
  }

  private str(n: number): string {
    const p = this.pos;
    this.pos = p + n;
    return this.buf.toString('utf8', p, p + n);
  }

  private nullErr(what: string): KafkaCodecError {
    return new KafkaCodecError('UNEXPECTED_NULL', `non-nullable ${what} encoded as null`);
  }

  string(): string {
    const n = this.int16();
    if (n < 0) throw this.nullErr('string');
    return this.str(this.len(n, 'string'));
  }
  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    return this.str(this.len(n, 'string'));
  }
  compactString(): string {
    const n = this.uvarint() - 1;
    if (n < 0) throw this.nullErr('string');
    return this.str(this.len(n, 'string'));
  }
  compactNullableString(): string | null {
    const n = this.uvarint() - 1;
    if (n < 0) return null;
    return this.str(this.len(n, 'string'));
  }

  /** Zero-copy view of the next n bytes. */
  raw(n: number): Buffer {
    this.len(n, 'bytes');
    const p = this.pos;
    this.pos = p + n;
    return n === 0 ? EMPTY : this.buf.subarray(p, p + n);
  }
  bytes(): Buffer {
    const n = this.int32();
    if (n < 0) throw this.nullErr('bytes');
    return this.raw(n);
  }
  nullableBytes(): Buffer | null {
    const n = this.int32();
    return n < 0 ? null : this.raw(n);
  }
  compactBytes(): Buffer {
    const n = this.uvarint() - 1;
    if (n < 0) throw this.nullErr('bytes');
    return this.raw(n);
  }
  compactNullableBytes(): Buffer | null {
    const n = this.uvarint() - 1;
    return n < 0 ? null : this.raw(n);
  }

  /** Array element count (-1 = null). Like Kafka, a count larger than the bytes left is rejected. */
  arrayLength(): number {
    const n = this.int32();
    return n < 0 ? -1 : this.len(n, 'array');
  }
  compactArrayLength(): number {
    const n = this.uvarint() - 1;
    return n < 0 ? -1 : this.len(n, 'array');
  }

  /** Starts a tagged field of `size` bytes: returns the enclosing end to restore with endTagged. */
  beginTagged(size: number): number {
    this.len(size, 'tagged field');
    const outer = this.end;
    this.end = this.pos + size;
    return outer;
  }
  endTagged(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  /** Skips a whole tagged-field section (used by cheap header parsing). */
  skipTaggedFields(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint();
      this.raw(this.uvarint());
    }
  }

  unexpectedNull(field: string): KafkaCodecError {
    return this.nullErr(`field ${field}`);
  }
}

/** Shared empty Buffer used as the default for bytes fields (treat decoded Buffers as read-only). */
export const EMPTY_BYTES = EMPTY;
/** Kafka's Uuid.ZERO_UUID in its string form. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
