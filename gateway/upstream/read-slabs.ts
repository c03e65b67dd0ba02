/**
 * Reusable read buffers for upstream sockets.
 *
 * Node allocates a fresh ArrayBuffer for every socket read. At hundreds of MB/s that is thousands of
 * external allocations per second, and V8 answers external-memory growth with full mark-compact
 * collections of the whole heap: measured, garbage collection was the largest single cost of
 * passing Fetch responses through. Upstream sockets therefore read into slabs from this pool
 * (`net.connect`'s `onread`), and a slab returns to the pool once every view handed out of it has
 * been written to the client.
 *
 * Ownership: a slab is referenced by the read that filled it (until the read callback returns) and
 * by every chunk view passed on with `retain()`. Whoever retains must `release()` exactly once,
 * after the bytes are no longer needed (a socket write callback). A view that is never released
 * only keeps its slab out of the pool; the garbage collector still frees it.
 */
export class Slab {
  /** References: the read in progress plus every retained view. */
  private refs = 1;

  constructor(
    readonly buffer: Buffer,
    private readonly pool: SlabPool,
  ) {}

  retain(): void {
    this.refs++;
  }

  release(): void {
    // A second release must never hand the slab out twice while a reader still uses it.
    if (this.refs <= 0) return;
    if (--this.refs === 0) this.pool.give(this);
  }

  /** Called by the pool when the slab is handed out again. */
  reset(): void {
    this.refs = 1;
  }
}

export class SlabPool {
  private readonly free: Slab[] = [];

  constructor(
    /** Bytes per slab: one socket read at most. */
    readonly slabSize = 64 * 1024,
    /** Idle slabs kept for reuse; beyond this they are left to the garbage collector. */
    private readonly maxFree = 256,
  ) {}

  take(): Slab {
    const slab = this.free.pop();
    if (slab) {
      slab.reset();
      return slab;
    }
    return new Slab(Buffer.allocUnsafeSlow(this.slabSize), this);
  }

  give(slab: Slab): void {
    if (this.free.length < this.maxFree) this.free.push(slab);
  }

  /** Idle slabs (for tests and metrics). */
  get idle(): number {
    return this.free.length;
  }
}

/** The gateway's shared pool: 256 idle slabs of 64 KiB bound the idle memory to 16 MiB. */
export const upstreamReadSlabs = new SlabPool();
