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
  /** Runs on the upstream response before it is released (address rewrite, merges, metrics). */
  onUpstreamResponse?: (payload: Buffer) => Buffer[];
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
    return this.entries.find((e) => e.upstream && e.answer === undefined);
  }

  /** Removes and returns the answered entries at the head, in order. */
  drainReady(): Pending[] {
    const ready: Pending[] = [];
    while (this.entries.length > 0 && this.entries[0]!.answer !== undefined)
      ready.push(this.entries.shift()!);
    return ready;
  }
}
