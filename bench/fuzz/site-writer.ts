/**
 * A Writer that remembers where each wire value went, so the mutator can change a value in place
 * (a length, a varint, a tagged-field size, a records blob) instead of only flipping blind bytes.
 * The generated encoders write through these methods, so the sites come from the real encoder:
 * nothing here re-describes Kafka's message formats.
 */
import { Writer } from '../../protocol/index.js';

export type SiteKind =
  /** Fixed-width integer (int8..int64, bool, float64, uuid); `length` when it prefixes a string, bytes or array. */
  | 'int'
  | 'int-length'
  /** Unsigned or zig-zag varint; `length` when it is a compact length (N+1). */
  | 'uvarint'
  | 'uvarint-length'
  /** The size of a tagged field's value, inserted after the value was written. */
  | 'tagged-size'
  /** The payload of a bytes/records field (records fields hold record batches). */
  | 'bytes';

export interface Site {
  kind: SiteKind;
  start: number;
  end: number;
}

export class SiteRecordingWriter extends Writer {
  readonly sites: Site[] = [];
  /** The next fixed-width or varint value written is a length prefix. */
  private lengthNext = false;

  private record(kind: 'int' | 'uvarint', start: number): void {
    this.sites.push({ kind: this.lengthNext ? `${kind}-length` : kind, start, end: this.pos });
    this.lengthNext = false;
  }

  override int8(v: number): void {
    const s = this.pos;
    super.int8(v);
    this.record('int', s);
  }
  override bool(v: boolean): void {
    const s = this.pos;
    super.bool(v);
    this.record('int', s);
  }
  override int16(v: number): void {
    const s = this.pos;
    super.int16(v);
    this.record('int', s);
  }
  override int32(v: number): void {
    const s = this.pos;
    super.int32(v);
    this.record('int', s);
  }
  override int64(v: bigint): void {
    const s = this.pos;
    super.int64(v);
    this.record('int', s);
  }
  override float64(v: number): void {
    const s = this.pos;
    super.float64(v);
    this.record('int', s);
  }
  override uuid(v: string): void {
    const s = this.pos;
    super.uuid(v);
    this.record('int', s);
  }
  override uvarint(v: number): void {
    const s = this.pos;
    super.uvarint(v);
    this.record('uvarint', s);
  }
  override varlong(v: bigint): void {
    const s = this.pos;
    super.varlong(v);
    this.record('uvarint', s);
  }

  override string(v: string): void {
    this.lengthNext = true;
    super.string(v);
  }
  override compactString(v: string): void {
    this.lengthNext = true;
    super.compactString(v);
  }
  override bytes(v: Uint8Array): void {
    this.lengthNext = true;
    super.bytes(v);
    this.sites.push({ kind: 'bytes', start: this.pos - v.length, end: this.pos });
  }
  override compactBytes(v: Uint8Array): void {
    this.lengthNext = true;
    super.compactBytes(v);
    this.sites.push({ kind: 'bytes', start: this.pos - v.length, end: this.pos });
  }
  override arrayLength(a: readonly unknown[] | null, nullable: boolean, field: string): void {
    this.lengthNext = true;
    super.arrayLength(a, nullable, field);
  }
  override compactArrayLength(a: readonly unknown[] | null, nullable: boolean, field: string): void {
    this.lengthNext = true;
    super.compactArrayLength(a, nullable, field);
  }

  /** The size goes in front of a value already written: every site inside moves back. */
  override endSized(start: number): void {
    const before = this.pos;
    super.endSized(start);
    const shift = this.pos - before;
    for (const site of this.sites) {
      if (site.start >= start) {
        site.start += shift;
        site.end += shift;
      }
    }
    this.sites.push({ kind: 'tagged-size', start, end: start + shift });
  }
}
