/**
 * MM2's internal record formats, byte for byte (Kafka's Struct encoding: big-endian, STRING = int16
 * length + UTF-8). Field order and versions as in connect-mirror-client's OffsetSync, Checkpoint and
 * Heartbeat:
 *
 *   OffsetSync  key {topic STRING, partition INT32}           value {upstreamOffset INT64, offset INT64}
 *   Checkpoint  key {group STRING, topic STRING, partition INT32}
 *               value {version INT16 = 0, upstreamOffset INT64, offset INT64, metadata STRING}
 *   Heartbeat   key {sourceClusterAlias STRING, targetClusterAlias STRING}
 *               value {version INT16 = 0, timestamp INT64}
 */

export interface OffsetSync {
  topic: string;
  partition: number;
  upstreamOffset: bigint;
  downstreamOffset: bigint;
}

export interface Checkpoint {
  group: string;
  topic: string;
  partition: number;
  upstreamOffset: bigint;
  downstreamOffset: bigint;
  metadata: string;
}

export interface Heartbeat {
  sourceClusterAlias: string;
  targetClusterAlias: string;
  timestamp: bigint;
}

class Writer {
  private readonly parts: Buffer[] = [];
  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    if (bytes.length > 0x7fff)
      throw new RangeError(`string of ${bytes.length} bytes does not fit a Kafka STRING`);
    const len = Buffer.alloc(2);
    len.writeInt16BE(bytes.length);
    this.parts.push(len, bytes);
    return this;
  }
  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  int64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    this.parts.push(b);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError(`truncated ${this.what}`);
  }
  string(): string {
    this.need(2);
    const len = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    if (len < 0) throw new RangeError(`null STRING in ${this.what}`);
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  int16(): number {
    this.need(2);
    const n = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return n;
  }
  int32(): number {
    this.need(4);
    const n = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return n;
  }
  int64(): bigint {
    this.need(8);
    const n = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return n;
  }
}

export function encodeOffsetSync(s: OffsetSync): { key: Buffer; value: Buffer } {
  return {
    key: new Writer().string(s.topic).int32(s.partition).done(),
    value: new Writer().int64(s.upstreamOffset).int64(s.downstreamOffset).done(),
  };
}

export function decodeOffsetSync(key: Buffer, value: Buffer): OffsetSync {
  const k = new Reader(key, 'OffsetSync key');
  const v = new Reader(value, 'OffsetSync value');
  return { topic: k.string(), partition: k.int32(), upstreamOffset: v.int64(), downstreamOffset: v.int64() };
}

export const CHECKPOINT_VERSION = 0;
export const HEARTBEAT_VERSION = 0;

export function encodeCheckpoint(c: Checkpoint): { key: Buffer; value: Buffer } {
  return {
    key: new Writer().string(c.group).string(c.topic).int32(c.partition).done(),
    value: new Writer()
      .int16(CHECKPOINT_VERSION)
      .int64(c.upstreamOffset)
      .int64(c.downstreamOffset)
      .string(c.metadata)
      .done(),
  };
}

export function decodeCheckpoint(key: Buffer, value: Buffer): Checkpoint {
  const k = new Reader(key, 'Checkpoint key');
  const v = new Reader(value, 'Checkpoint value');
  const group = k.string();
  const topic = k.string();
  const partition = k.int32();
  const version = v.int16();
  if (version !== CHECKPOINT_VERSION) throw new RangeError(`unsupported Checkpoint version ${version}`);
  return {
    group,
    topic,
    partition,
    upstreamOffset: v.int64(),
    downstreamOffset: v.int64(),
    metadata: v.string(),
  };
}

export function encodeHeartbeat(h: Heartbeat): { key: Buffer; value: Buffer } {
  return {
    key: new Writer().string(h.sourceClusterAlias).string(h.targetClusterAlias).done(),
    value: new Writer().int16(HEARTBEAT_VERSION).int64(h.timestamp).done(),
  };
}

export function decodeHeartbeat(key: Buffer, value: Buffer): Heartbeat {
  const k = new Reader(key, 'Heartbeat key');
  const v = new Reader(value, 'Heartbeat value');
  const sourceClusterAlias = k.string();
  const targetClusterAlias = k.string();
  const version = v.int16();
  if (version !== HEARTBEAT_VERSION) throw new RangeError(`unsupported Heartbeat version ${version}`);
  return { sourceClusterAlias, targetClusterAlias, timestamp: v.int64() };
}
