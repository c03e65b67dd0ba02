/**
 * Decoders for the MirrorMaker 2 records the monitor reads (Kafka Connect Struct encoding,
 * big-endian, STRING = int16 length + UTF-8):
 *   OffsetSync  key {topic STRING, partition INT32}               value {upstreamOffset INT64, offset INT64}
 *   Heartbeat   key {sourceClusterAlias STRING, targetClusterAlias STRING} value {version INT16, timestamp INT64}
 * Decoding only; the mirror owns writing them.
 */

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  string(): string {
    const len = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    if (len < 0) throw new Error('null STRING');
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    if (this.pos + len > this.buf.length) throw new Error('STRING past end of buffer');
    this.pos += len;
    return s;
  }
  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): number {
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return Number(v);
  }
}

export interface OffsetSync {
  readonly topic: string;
  readonly partition: number;
  readonly upstreamOffset: number;
  readonly downstreamOffset: number;
}

export function decodeOffsetSync(key: Buffer, value: Buffer): OffsetSync {
  const k = new Reader(key);
  const v = new Reader(value);
  return { topic: k.string(), partition: k.int32(), upstreamOffset: v.int64(), downstreamOffset: v.int64() };
}

export interface Heartbeat {
  readonly sourceClusterAlias: string;
  readonly targetClusterAlias: string;
  readonly timestampMs: number;
}

export function decodeHeartbeat(key: Buffer, value: Buffer): Heartbeat {
  const k = new Reader(key);
  const v = new Reader(value);
  const source = k.string();
  const target = k.string();
  v.int16(); // version
  return { sourceClusterAlias: source, targetClusterAlias: target, timestampMs: v.int64() };
}

/** Test helper and documentation of the layout: encodes an OffsetSync as MM2 writes it. */
export function encodeOffsetSync(s: OffsetSync): { key: Buffer; value: Buffer } {
  const topic = Buffer.from(s.topic, 'utf8');
  const key = Buffer.alloc(2 + topic.length + 4);
  key.writeInt16BE(topic.length, 0);
  topic.copy(key, 2);
  key.writeInt32BE(s.partition, 2 + topic.length);
  const value = Buffer.alloc(16);
  value.writeBigInt64BE(BigInt(s.upstreamOffset), 0);
  value.writeBigInt64BE(BigInt(s.downstreamOffset), 8);
  return { key, value };
}

/** Test helper: encodes a Heartbeat as MM2 writes it. */
export function encodeHeartbeat(h: Heartbeat): { key: Buffer; value: Buffer } {
  const a = Buffer.from(h.sourceClusterAlias, 'utf8');
  const b = Buffer.from(h.targetClusterAlias, 'utf8');
  const key = Buffer.alloc(4 + a.length + b.length);
  key.writeInt16BE(a.length, 0);
  a.copy(key, 2);
  key.writeInt16BE(b.length, 2 + a.length);
  b.copy(key, 4 + a.length);
  const value = Buffer.alloc(10);
  value.writeInt16BE(0, 0);
  value.writeBigInt64BE(BigInt(h.timestampMs), 2);
  return { key, value };
}
