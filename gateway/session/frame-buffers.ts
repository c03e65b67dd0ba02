/**
 * Recycled buffers for client request frames that arrive split across socket reads (every
 * produce request larger than one read). Assembling each into a fresh allocation doubled the
 * gateway's external-memory churn on the produce path, and V8 pays for that churn with full
 * mark-compact collections (see upstream/read-slabs.ts for the same reasoning on responses).
 *
 * A buffer comes back with `release()` once its bytes have been written upstream. Buffers are kept
 * per power-of-two size class; one that is never released (a frame answered by the gateway itself,
 * a connection closed mid-request) is simply collected, because the pool only remembers buffers
 * weakly while they are out.
 */
const MIN_CLASS = 16 * 1024;
const MAX_CLASS = 4 * 1024 * 1024;

export class FrameBufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private readonly out = new WeakSet<ArrayBuffer>();
  private idleBytes = 0;

  constructor(
    /** Idle bytes kept for reuse across all size classes. */
    private readonly maxIdleBytes = 32 * 1024 * 1024,
  ) {}

  /** A buffer of exactly `size` bytes (contents undefined). */
  allocate = (size: number): Buffer => {
    if (size < MIN_CLASS || size > MAX_CLASS) return Buffer.allocUnsafe(size);
    const cls = sizeClass(size);
    const idle = this.free.get(cls)?.pop();
    if (idle) this.idleBytes -= cls;
    const ab = idle ?? new ArrayBuffer(cls);
    this.out.add(ab);
    return Buffer.from(ab, 0, size);
  };

  /** Returns a buffer from `allocate`; anything else (or a second release) is ignored. */
  release(buffer: Buffer): void {
    const ab = buffer.buffer as ArrayBuffer;
    if (!this.out.delete(ab)) return;
    if (this.idleBytes + ab.byteLength > this.maxIdleBytes) return;
    const list = this.free.get(ab.byteLength) ?? [];
    list.push(ab);
    this.free.set(ab.byteLength, list);
    this.idleBytes += ab.byteLength;
  }

  get idle(): number {
    return this.idleBytes;
  }
}

function sizeClass(size: number): number {
  let cls = MIN_CLASS;
  while (cls < size) cls *= 2;
  return cls;
}

/** The gateway's shared pool (idle memory bounded to 32 MiB). */
export const requestFrameBuffers = new FrameBufferPool();
