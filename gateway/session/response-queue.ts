/**
 * Kafka clients expect responses in request order on a connection. Some requests are answered by
 * the gateway (ApiVersions, SASL, admin APIs, denials) and some by the broker, at different times;
 * this queue releases answers strictly in request order.
 */
export interface Pending {
  correlationId: number;
  apiKey: number;
  apiVersion: number;
  /** True while the answer is expected from the upstream broker. */
  upstream: boolean;
  /** Buffers to write once everything before this entry is written. */
  answer?: Buffer[];
  /** Close the connection after this answer (failed authentication). */
  closeAfter?: boolean;
  receivedAt: bigint;
  /**
   * Runs on the upstream response before it is released (address rewrite, merges, metrics); a
   * promise when the answer needs a look-up first (e.g. topic ids to authorize).
   */
  onUpstreamResponse?: (payload: Buffer) => Buffer[] | Promise<Buffer[]>;
  /** The upstream response has arrived and is being processed asynchronously. */
  processing?: boolean;
  /** The upstream response may be passed through as it arrives (it needs no rewrite). */
  streamable?: boolean;
  /** A response being passed through: chunks not yet written, and whether all have arrived. */
  stream?: { chunks: StreamChunk[]; done: boolean };
  /** Per-topic byte accounting that reads a streamed response as it passes. */
  startAccounting?: () => { push(chunk: Buffer): void };
  /** Runs when a streamed response is complete (metrics). */
  onStreamed?: () => void;
  /** The request's trace span (tracing on only), ended when the answer has been written. */
  span?: { end(): void };
}

/** Bytes of a passed-through response; `release` is called once they are written (or dropped). */
export interface StreamChunk {
  bytes: Buffer;
  release?: () => void;
}

export class ResponseQueue {
  private readonly entries: Pending[] = [];

  get size(): number {
    return this.entries.length;
  }

  push(p: Pending): void {
    this.entries.push(p);
  }

  /** The oldest entry still waiting for the upstream broker (responses arrive in request order). */
  nextUpstream(): Pending | undefined {
    return this.entries.find(
      (e) => e.upstream && e.answer === undefined && e.stream === undefined && !e.processing,
    );
  }

  /** The entry whose answer goes out next. */
  head(): Pending | undefined {
    return this.entries[0];
  }

  shift(): void {
    this.entries.shift();
  }
}
