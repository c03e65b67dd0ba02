/**
 * Conflict detection for active-active: the same key written by clients in two data centres
 * within a time window. Pure (no I/O, no clock): the caller passes each local write, with its
 * record timestamp, as the mirror fetches it from the cluster it was written to. Each flow of the
 * process reads one cluster's log, so together they see every cluster's local writes.
 *
 * Per topic, an LRU of recently written keys (a hash of the key, not the key: keys can be large and
 * sensitive) with the newest timestamp written in each cluster. A write conflicts when another
 * cluster's newest timestamp for the key is within the window of its own, whichever of the two the
 * mirror happens to fetch first (the flows run independently, so arrival order means nothing).
 * Bounded memory: `maxKeys` keys per topic; beyond it the least recently written key is forgotten,
 * and a conflict whose first write was forgotten before the second arrived is missed (counted as
 * evictions so the operator can raise the cap).
 */
import { createHash } from 'node:crypto';

export interface Conflict {
  topic: string;
  /** Short hash of the key (hex), what the log shows. */
  keyHash: string;
  keyBytes: number;
  cluster: string;
  timestamp: number;
  otherCluster: string;
  otherTimestamp: number;
}

/** Newest timestamp per cluster for one key; a handful of clusters at most, so a flat list. */
type Seen = { cluster: string; ts: number }[];

class TopicKeys {
  readonly keys = new Map<string, Seen>();
}

/** A 96-bit digest: collisions between keys of one topic are negligible for any realistic cap. */
export function keyDigest(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 16);
}

export class ConflictDetector {
  private readonly topics = new Map<string, TopicKeys>();
  /** Keys forgotten because a topic's LRU was full, per topic (read and reset by takeEvictions). */
  private readonly evictions = new Map<string, number>();

  constructor(readonly maxKeysPerTopic: number) {
    if (maxKeysPerTopic < 1) throw new Error('maxKeysPerTopic must be at least 1');
  }

  /**
   * Records a client's write of `key` in `cluster` at record time `ts`; returns the conflict it
   * makes with another cluster's write within `windowMs`, if any.
   */
  observe(topic: string, key: Buffer, cluster: string, ts: number, windowMs: number): Conflict | undefined {
    let t = this.topics.get(topic);
    if (t === undefined) this.topics.set(topic, (t = new TopicKeys()));
    const digest = keyDigest(key);
    let seen = t.keys.get(digest);
    if (seen === undefined) {
      seen = [];
      if (t.keys.size >= this.maxKeysPerTopic) {
        const oldest = t.keys.keys().next().value as string;
        t.keys.delete(oldest);
        this.evictions.set(topic, (this.evictions.get(topic) ?? 0) + 1);
      }
    } else {
      t.keys.delete(digest); // re-inserted below: Map order is the LRU order
    }
    t.keys.set(digest, seen);

    let conflict: Conflict | undefined;
    let own: { cluster: string; ts: number } | undefined;
    for (const s of seen) {
      if (s.cluster === cluster) {
        own = s;
        continue;
      }
      const gap = Math.abs(s.ts - ts);
      if (gap <= windowMs && (conflict === undefined || gap < Math.abs(conflict.otherTimestamp - ts)))
        conflict = {
          topic,
          keyHash: Buffer.from(digest, 'base64url').toString('hex').slice(0, 12),
          keyBytes: key.length,
          cluster,
          timestamp: ts,
          otherCluster: s.cluster,
          otherTimestamp: s.ts,
        };
    }
    if (own === undefined) seen.push({ cluster, ts });
    else if (ts > own.ts) own.ts = ts;
    return conflict;
  }

  /** Keys tracked for `topic` (for tests and status). */
  size(topic: string): number {
    return this.topics.get(topic)?.keys.size ?? 0;
  }

  /** Evictions since the last call, per topic. */
  takeEvictions(): Map<string, number> {
    const out = new Map(this.evictions);
    this.evictions.clear();
    return out;
  }
}
