// Incremental reader of Kafka's 4-byte size-prefixed frames over a stream of chunks.
//
// Memory is bounded by bytes actually received: a declared size is only checked against the
// maximum, never used to allocate up front, so a peer announcing a huge frame and sending nothing
// costs nothing. A frame that lies inside one chunk is returned as a view of that chunk (no copy);
// only frames split across chunks are concatenated, once, when complete.
import { KafkaCodecError } from './runtime/errors.js';

export interface FrameReaderOptions {
  /** Largest accepted payload (bytes after the size prefix). Kafka's socket.request.max.bytes defaults to 100 MiB. */
  maxFrameSize: number;
  /**
   * When given, every frame is copied into a buffer from here (exactly `size` bytes), so pushed
   * chunks are not retained beyond a trailing partial frame and the caller may recycle frame
   * buffers. Without it, frames inside one chunk are views of that chunk (no copy).
   */
  allocate?: (size: number) => Buffer;
  /** A tighter maximum per API key (the payload's first two bytes); see FrameReader.maxSizeFor. */
  maxSizeFor?: (apiKey: number) => number;
}

export class FrameReader {
  /**
   * Largest accepted payload; may be changed between pushes (the gateway raises it once a client
   * has authenticated). A frame whose size prefix was already accepted is not re-checked.
   */
  maxFrameSize: number;
  /**
   * When set, a frame's size is also checked against this maximum for its API key, as soon as the
   * key's two bytes have arrived and before the body is held (the gateway uses it before login,
   * when only a few small requests are legitimate). May be changed or cleared between pushes.
   */
  maxSizeFor: ((apiKey: number) => number) | undefined;
  private apiChecked = false;
  private readonly allocate: (size: number) => Buffer;
  private readonly copyFrames: boolean;
  private parts: Buffer[] = []; // partial data: size prefix and/or payload
  private partsLength = 0;
  private size = -1; // payload size of the frame being assembled, -1 while the prefix is incomplete
  private failed: KafkaCodecError | null = null;

  constructor(opts: FrameReaderOptions) {
    this.maxFrameSize = opts.maxFrameSize;
    this.maxSizeFor = opts.maxSizeFor;
    this.allocate = opts.allocate ?? Buffer.allocUnsafe;
    this.copyFrames = opts.allocate !== undefined;
  }

  /** Bytes held for an incomplete frame (including its size prefix while that is not yet consumed). */
  get buffered(): number {
    return this.partsLength;
  }

  /** True if no partial frame is pending (useful to detect truncation at end of stream). */
  get idle(): boolean {
    return this.partsLength === 0 && this.size < 0;
  }

  /**
   * Feeds a chunk; returns the payloads (without size prefix) of every frame it completes.
   * After a size error the reader stays failed and rethrows: the connection must be closed.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.failed) throw this.failed;
    const out: Buffer[] = [];
    let off = 0;
    const len = chunk.length;
    // fast path: nothing pending, whole frames inside this chunk
    if (this.partsLength === 0 && this.size < 0) {
      while (len - off >= 4) {
        const size = this.checkSize(chunk.readInt32BE(off));
        if (this.maxSizeFor && size >= 2) {
          if (len - off - 4 < 2) break;
          this.checkApiSize(chunk.readInt16BE(off + 4), size);
        }
        if (len - off - 4 < size) break;
        const frame = chunk.subarray(off + 4, off + 4 + size);
        out.push(this.copyFrames ? copyInto(this.allocate(size), frame) : frame);
        off += 4 + size;
      }
      if (off < len) this.hold(chunk.subarray(off));
      return out;
    }
    this.hold(chunk);
    for (;;) {
      if (this.size < 0) {
        if (this.partsLength < 4) return out;
        const head = this.take(4, Buffer.allocUnsafe, false);
        this.size = this.checkSize(head.readInt32BE(0));
      }
      if (this.maxSizeFor && !this.apiChecked && this.size >= 2) {
        if (this.partsLength < 2) return out;
        this.checkApiSize(this.peekInt16(), this.size);
      }
      this.apiChecked = true;
      if (this.partsLength < this.size) return out;
      out.push(this.take(this.size, this.allocate, this.copyFrames));
      this.size = -1;
      this.apiChecked = false;
      // the rest may again hold several whole frames in one buffer: take the fast path
      if (this.parts.length === 1) {
        const rest = this.parts[0]!;
        this.parts = [];
        this.partsLength = 0;
        for (const f of this.push(rest)) out.push(f);
        return out;
      }
      if (this.partsLength === 0) return out;
    }
  }

  private checkSize(size: number): number {
    if (size < 0) {
      this.failed = new KafkaCodecError('INVALID_FRAME_SIZE', `negative frame size ${size}`);
      throw this.failed;
    }
    if (size > this.maxFrameSize) {
      this.failed = new KafkaCodecError(
        'FRAME_TOO_LARGE',
        `frame of ${size} bytes exceeds the maximum of ${this.maxFrameSize}`,
      );
      throw this.failed;
    }
    return size;
  }

  private checkApiSize(apiKey: number, size: number): void {
    const max = this.maxSizeFor!(apiKey);
    if (size > max) {
      this.failed = new KafkaCodecError(
        'FRAME_TOO_LARGE',
        `frame of ${size} bytes for API key ${apiKey} exceeds the maximum of ${max}`,
      );
      throw this.failed;
    }
  }

  /** The first two pending bytes as an int16 (they may lie in two parts). */
  private peekInt16(): number {
    const first = this.parts[0]!;
    const b1 = first.length > 1 ? first[1]! : this.parts[1]![0]!;
    return (((first[0]! << 8) | b1) << 16) >> 16;
  }

  private hold(b: Buffer): void {
    if (b.length === 0) return;
    this.parts.push(b);
    this.partsLength += b.length;
  }

  /** Removes and returns the first n pending bytes (copied if they span several parts or `copy`). */
  private take(n: number, alloc: (size: number) => Buffer, copy: boolean): Buffer {
    const first = this.parts[0];
    let result: Buffer;
    if (!copy && first !== undefined && first.length >= n) {
      result = first.subarray(0, n);
      if (first.length === n) this.parts.shift();
      else this.parts[0] = first.subarray(n);
    } else {
      result = alloc(n);
      let filled = 0;
      while (filled < n) {
        const p = this.parts[0]!;
        const k = Math.min(p.length, n - filled);
        p.copy(result, filled, 0, k);
        filled += k;
        if (k === p.length) this.parts.shift();
        else this.parts[0] = p.subarray(k);
      }
    }
    this.partsLength -= n;
    return result;
  }
}

function copyInto(target: Buffer, source: Buffer): Buffer {
  source.copy(target);
  return target;
}

/** Async-iterates frame payloads from a chunk source (e.g. a net.Socket). */
export async function* readFrames(
  source: AsyncIterable<Buffer>,
  opts: FrameReaderOptions,
): AsyncGenerator<Buffer> {
  const reader = new FrameReader(opts);
  for await (const chunk of source) {
    for (const frame of reader.push(chunk)) yield frame;
  }
  if (!reader.idle)
    throw new KafkaCodecError('TRUNCATED', `stream ended inside a frame (${reader.buffered} bytes pending)`);
}
