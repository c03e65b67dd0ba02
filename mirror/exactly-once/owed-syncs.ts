/**
 * Exactly-once mode writes a transaction's offset syncs only after the transaction committed (as
 * MM2's MirrorSourceTask does under KIP-618: a sync must never name a record of an aborted
 * transaction). A process killed between the commit and the sync write would leave a hole: the
 * records of that last transaction would have no syncs, and the restarted task's first sync would
 * read as if it directly followed the sync before the hole (mm2/sync-history.ts), so a group inside
 * the hole would be translated past records it never read.
 *
 * So the transaction also stores the syncs it owes, with its positions (position-store.ts), and a
 * task starting in exactly-once mode writes them if they are missing, before it copies anything:
 * the offset-syncs topic is read once, and a partition's owed syncs are written when the newest sync
 * of that partition in the topic is below the last one owed (they are sent as one record batch, so
 * they are either all there or none). Syncs of earlier transactions need no check: a transaction
 * commits only after the syncs of the one before it were written.
 */
import { tpKey, type ClusterClient } from '../../client/cluster.js';
import { readTopicToEnd } from '../../client/read-to-end.js';
import { decodeOffsetSync, type OffsetSync } from '../../mm2/formats.js';

export interface OwedSyncsOptions {
  /** The owed syncs of each partition, in order (PositionStore.owedSyncs()). */
  owed: readonly (readonly OffsetSync[])[];
  /** Where the offset-syncs topic lives (the cluster stays the caller's). */
  cluster: ClusterClient;
  topic: string;
  /** Writes syncs in one send, in order. */
  send: (syncs: OffsetSync[]) => Promise<void>;
  isStopped: () => boolean;
}

/** Writes the owed syncs the offset-syncs topic lacks; resolves with how many were written. */
export async function writeOwedSyncs(opts: OwedSyncsOptions): Promise<number> {
  const owed = opts.owed.filter((list) => list.length > 0);
  if (owed.length === 0) return 0;
  const wanted = new Set(owed.map((list) => tpKey(list[0]!.topic, list[0]!.partition)));
  const newest = new Map<string, bigint>();
  await readTopicToEnd(
    opts.cluster,
    opts.topic,
    (_p, r) => {
      if (r.key === null || r.value === null) return;
      let s: OffsetSync;
      try {
        s = decodeOffsetSync(r.key, r.value);
      } catch {
        return; // not a sync: nothing of ours
      }
      const key = tpKey(s.topic, s.partition);
      if (wanted.has(key)) newest.set(key, s.downstreamOffset);
    },
    { isStopped: opts.isStopped },
  );
  const missing: OffsetSync[] = [];
  for (const list of owed) {
    const last = list[list.length - 1]!;
    const seen = newest.get(tpKey(last.topic, last.partition));
    if (seen === undefined || seen < last.downstreamOffset) missing.push(...list);
  }
  if (missing.length > 0) await opts.send(missing);
  return missing.length;
}
