/**
 * Per-topic bytes out for Fetch responses that are passed through as they arrive. The response is
 * walked as its chunks go by: only the structure is read (a few bytes per topic and partition) and
 * every record set is skipped by its length. Chunks may be views of pooled read buffers that are
 * reused once written, so the few bytes still waiting for the rest of a field are copied out.
 * A generator is the parser's state: it pauses wherever the bytes it needs have not arrived yet.
 */
type Need = { bytes: number };
type Walker = Generator<Need, void, void>;

/** Bytes fed so far and not yet consumed, as a queue of chunk views. */
class Feed {
  private chunks: Buffer[] = [];
  available = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.available += chunk.length;
  }

  /** Replaces the pending views by one copy, so the chunks they point into may be reused. */
  detach(): void {
    if (this.chunks.length === 0) return;
    this.chunks = [Buffer.concat(this.chunks, this.available)];
  }

  /** Consumes n bytes (n ≤ available), returning them when `keep` (≤ 16 bytes: small reads only). */
  take(n: number, keep: boolean): Buffer | undefined {
    const out = keep ? Buffer.allocUnsafe(n) : undefined;
    let copied = 0;
    this.available -= n;
    while (n > 0) {
      const head = this.chunks[0]!;
      const m = Math.min(n, head.length);
      if (out) head.copy(out, copied, 0, m);
      copied += m;
      n -= m;
      if (m === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(m);
    }
    return out;
  }
}

export type TopicBytes = (topic: string, topicId: string | undefined, bytes: number) => void;

/** Walks one Fetch response payload (header included) of the given version. */
export class FetchAccounting {
  private readonly feed = new Feed();
  private readonly walker: Walker;
  private pending: Need | undefined;
  failed = false;

  constructor(version: number, onTopic: TopicBytes) {
    this.walker = walkFetchResponse(this.feed, version, onTopic);
    this.advance();
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.feed.push(chunk);
    if (this.pending && this.feed.available >= this.pending.bytes) this.advance();
    this.feed.detach();
  }

  private advance(): void {
    try {
      const step = this.walker.next();
      this.pending = step.done ? undefined : step.value;
    } catch {
      this.failed = true; // a malformed response only loses its accounting; the bytes still flow
    }
  }
}

function* walkFetchResponse(feed: Feed, v: number, onTopic: TopicBytes): Walker {
  const flex = v >= 12;
  function* bytes(n: number, keep = true): Generator<Need, Buffer, void> {
    while (feed.available < n) yield { bytes: n };
    return feed.take(n, keep) ?? Buffer.alloc(0);
  }
  function* skip(n: number): Generator<Need, void, void> {
    // Large record sets are skipped chunk by chunk as they arrive.
    while (n > 0) {
      if (feed.available === 0) yield { bytes: 1 };
      const m = Math.min(n, feed.available);
      feed.take(m, false);
      n -= m;
    }
  }
  const int16 = function* () {
    return (yield* bytes(2)).readInt16BE(0);
  };
  const int32 = function* () {
    return (yield* bytes(4)).readInt32BE(0);
  };
  function* uvarint(): Generator<Need, number, void> {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = (yield* bytes(1))[0]!;
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value >>> 0;
    }
    throw new Error('varint too long');
  }
  function* taggedFields(): Generator<Need, void, void> {
    const n = yield* uvarint();
    for (let i = 0; i < n; i++) {
      yield* uvarint(); // tag
      yield* skip(yield* uvarint());
    }
  }
  const arrayLength = function* () {
    return flex ? (yield* uvarint()) - 1 : yield* int32();
  };

  yield* skip(4); // correlation id
  if (flex) yield* taggedFields(); // response header v1
  yield* skip(v >= 7 ? 4 + 2 + 4 : 4); // throttle time, error code, session id
  const topics = yield* arrayLength();
  for (let t = 0; t < topics; t++) {
    let topic = '';
    if (v <= 12) {
      const len = flex ? (yield* uvarint()) - 1 : yield* int16();
      topic = len > 0 ? (yield* bytes(len)).toString('utf8') : '';
    }
    const topicId = v >= 13 ? (yield* bytes(16)).toString('base64url') : undefined;
    let total = 0;
    const partitions = yield* arrayLength();
    for (let p = 0; p < partitions; p++) {
      yield* skip(4 + 2 + 8 + 8 + (v >= 5 ? 8 : 0)); // index, error, high watermark, last stable, log start
      const aborted = yield* arrayLength();
      for (let a = 0; a < aborted; a++) {
        yield* skip(16); // producer id, first offset
        if (flex) yield* taggedFields();
      }
      if (v >= 11) yield* skip(4); // preferred read replica
      const records = flex ? (yield* uvarint()) - 1 : yield* int32();
      if (records > 0) {
        total += records;
        yield* skip(records);
      }
      if (flex) yield* taggedFields();
    }
    if (flex) yield* taggedFields();
    if (total > 0) onTopic(topic, topicId, total);
  }
}
