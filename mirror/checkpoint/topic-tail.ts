/**
 * Follows a single-partition state topic (the offset syncs, the source positions) on demand:
 * `catchUp` reads from where the last call stopped up to the topic's end as of the call. Reading on
 * demand, just before translating, is what orders the two topics: the positions are caught up
 * first, then the syncs up to an end measured afterwards, so every sync written before a position
 * was committed is in the store when that position is used (the source connector writes a
 * partition's syncs before its position). The cluster stays the caller's (closed by the caller).
 *
 * Read read_committed, up to the last stable offset: in exactly-once mode the positions are written
 * in transactions, and a position of an aborted or still open transaction is no position (the
 * offset syncs, never transactional, read the same either way).
 */
import type { ClusterClient } from '../../client/cluster.js';
import { NativeFetcher, type FetchRecord } from '../../client/fetcher.js';
import { topicOffsets } from '../../client/read-to-end.js';

export class TopicTail {
  private readonly fetcher: NativeFetcher;
  private assigned = false;

  constructor(
    private readonly cluster: ClusterClient,
    readonly topic: string,
  ) {
    this.fetcher = new NativeFetcher(cluster, {
      maxBytes: 8 << 20,
      partitionMaxBytes: 8 << 20,
      maxWaitMs: 100,
      isolationLevel: 'read_committed',
    });
  }

  /** Calls `onRecord` for every record from the last position up to the current end, in order. */
  async catchUp(onRecord: (r: FetchRecord) => void, isStopped: () => boolean): Promise<number> {
    const p0 = (await topicOffsets(this.cluster, this.topic, { isolationLevel: 'read_committed' })).find(
      (o) => o.partition === 0,
    );
    if (p0 === undefined) return 0;
    if (!this.assigned) {
      await this.fetcher.assign(this.topic, 0, p0.low);
      this.assigned = true;
    }
    let n = 0;
    while ((this.fetcher.position(this.topic, 0) ?? p0.high) < p0.high) {
      if (isStopped()) throw new Error(`reading ${this.topic}: stopped`);
      for (const b of await this.fetcher.poll())
        for (const r of b.records) {
          onRecord(r);
          n++;
        }
    }
    return n;
  }
}
