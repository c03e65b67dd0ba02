/**
 * Last-writer-wins for compacted topics in active-active: the state that makes every cluster's
 * last record for a key (what compaction keeps) the same version, the winner. Pure: no I/O, no
 * clock; the source connectors feed it what they fetch and write what it asks for.
 *
 * Why skipping older copies is not enough: compaction keeps the record written last, not the one
 * with the newest timestamp, so a version must not only be kept out of a cluster when it loses, the
 * winner must be written again wherever a losing version landed after it (a local write the mirror
 * had not seen yet, or a copy that was in flight while the other cluster took a newer write).
 *
 * So the state tracks, per (topic, partition, key), the winner among every version the mirror has
 * seen (greatest record timestamp, ties by the configured cluster order, then by origin offset:
 * within one cluster the later write wins) and, per cluster, the version at that cluster's log tail
 * as far as the flow reading that cluster has got. Every cluster's log is read in order by the flow
 * that has it as its source, including the copies the mirror wrote there (they are echoes, never
 * copied back, but they are observed). Whenever an observed tail is not the winner, a repair is
 * queued: the flow writing into that cluster writes the winner there again, as a copy whose
 * provenance names the winner's origin, so it is observed as an echo and never copied back.
 *
 * Convergence: the winner only ever improves; a cluster's tail changes only by records appended to
 * its log, each of which is observed; every observed tail that is not the winner queues the winner;
 * so once writers stop, every cluster's last record per key is the winner, and the winner is the
 * best version any cluster ever held. Repairs may be written more than once (harmless: the same
 * version again).
 *
 * Memory: one entry per key (the winner's key, value and headers, plus a version per cluster), at
 * most `maxKeys` across LWW topics; beyond it the least recently written key is forgotten and a
 * later version of it is treated as the first one seen (both clusters still end up with one value,
 * but it may be the later-arriving rather than the newest).
 */
import type { RecordHeader } from '../../protocol/records/batch.js';

/** One version of a key: where it was first written and its record timestamp. */
export interface Version {
  ts: number;
  /** The cluster a client wrote it to (`kgw.origin.cluster` of a copy). */
  cluster: string;
  /** Its offset there (`kgw.origin.offset` of a copy). */
  offset: bigint;
}

/** The winner to write into a cluster whose last record for the key lost. */
export interface Repair {
  topic: string;
  partition: number;
  key: Buffer;
  value: Buffer | null;
  /** The winner's own headers (provenance removed; the writer adds it, naming the winner's origin). */
  headers: RecordHeader[];
  version: Version;
}

interface Entry {
  topic: string;
  partition: number;
  key: Buffer;
  winner: Version;
  value: Buffer | null;
  headers: RecordHeader[];
  tails: Map<string, Version>;
}

const same = (a: Version | undefined, b: Version): boolean =>
  a !== undefined && a.ts === b.ts && a.cluster === b.cluster && a.offset === b.offset;

export class LwwState {
  private readonly rank: Map<string, number>;
  private readonly entries = new Map<string, Entry>();
  /** Per cluster, the entries whose observed tail there lost (the flow into it writes them). */
  private readonly pending = new Map<string, Set<string>>();
  /** Keys forgotten because the state was full (read and reset by takeEvictions). */
  private evictions = 0;

  /** `order`: cluster aliases, the first one wins a timestamp tie. */
  constructor(
    order: readonly string[],
    readonly maxKeys: number,
  ) {
    this.rank = new Map(order.map((c, i) => [c, i]));
    if (maxKeys < 1) throw new Error('maxKeys must be at least 1');
  }

  /** True when `a` beats `b`. */
  beats(a: Version, b: Version): boolean {
    if (a.ts !== b.ts) return a.ts > b.ts;
    if (a.cluster !== b.cluster) return this.rankOf(a.cluster) < this.rankOf(b.cluster);
    return a.offset > b.offset;
  }

  private rankOf(cluster: string): number {
    return this.rank.get(cluster) ?? Number.MAX_SAFE_INTEGER;
  }

  /**
   * The flow reading `logCluster` met `version` of `key` there (a local write or a copy). Returns
   * true when it is the winner (a local write should then be copied to the other clusters), false
   * when it lost (not copied; the winner is queued for `logCluster`).
   */
  observe(
    logCluster: string,
    topic: string,
    partition: number,
    key: Buffer,
    version: Version,
    value: Buffer | null,
    headers: RecordHeader[],
  ): boolean {
    const id = entryId(topic, partition, key);
    let e = this.entries.get(id);
    if (e === undefined) {
      if (this.entries.size >= this.maxKeys) {
        this.entries.delete(this.entries.keys().next().value as string);
        this.evictions++;
      }
      e = {
        topic,
        partition,
        key: Buffer.from(key),
        winner: version,
        value: copy(value),
        headers: headers.map((h) => ({ key: h.key, value: copy(h.value) })),
        tails: new Map(),
      };
    } else {
      this.entries.delete(id); // re-inserted below: Map order is the LRU order
      if (this.beats(version, e.winner)) {
        e.winner = version;
        e.value = copy(value);
        e.headers = headers.map((h) => ({ key: h.key, value: copy(h.value) }));
      }
    }
    this.entries.set(id, e);
    e.tails.set(logCluster, version);
    const won = same(version, e.winner);
    if (!won) {
      let set = this.pending.get(logCluster);
      if (set === undefined) this.pending.set(logCluster, (set = new Set()));
      set.add(id);
    }
    return won;
  }

  hasRepairs(cluster: string): boolean {
    return (this.pending.get(cluster)?.size ?? 0) > 0;
  }

  /** The winners to write into `cluster` now (each one's observed tail there still lost). */
  takeRepairs(cluster: string): Repair[] {
    const set = this.pending.get(cluster);
    if (set === undefined || set.size === 0) return [];
    this.pending.delete(cluster);
    const out: Repair[] = [];
    for (const id of set) {
      const e = this.entries.get(id);
      if (e === undefined || same(e.tails.get(cluster), e.winner)) continue;
      out.push({
        topic: e.topic,
        partition: e.partition,
        key: e.key,
        value: e.value,
        headers: e.headers,
        version: e.winner,
      });
    }
    return out;
  }

  /** Puts back repairs that could not be written (the flow retries them after its restart). */
  requeue(cluster: string, repairs: readonly Repair[]): void {
    let set = this.pending.get(cluster);
    if (set === undefined) this.pending.set(cluster, (set = new Set()));
    for (const r of repairs) set.add(entryId(r.topic, r.partition, r.key));
  }

  /** The current winner of a key (tests, status). */
  winner(topic: string, partition: number, key: Buffer): Version | undefined {
    return this.entries.get(entryId(topic, partition, key))?.winner;
  }

  get size(): number {
    return this.entries.size;
  }

  takeEvictions(): number {
    const n = this.evictions;
    this.evictions = 0;
    return n;
  }
}

/**
 * Fetched buffers are views into a whole Fetch response: keeping one would keep the response (up
 * to kgw.fetch.max.bytes) alive for as long as the key's winner lives.
 */
function copy(b: Buffer | null): Buffer | null {
  return b === null ? null : Buffer.from(b);
}

/** latin1 maps every byte to one character, so distinct keys give distinct ids. */
function entryId(topic: string, partition: number, key: Buffer): string {
  return `${topic}\u0000${partition}\u0000${key.toString('latin1')}`;
}
