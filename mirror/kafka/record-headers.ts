/**
 * Provenance on header lists, for the native data path: the same rules as mirror/provenance.ts
 * (which works on kafkajs' header objects), applied to Kafka's ordered header list so the source
 * record's headers keep their order and repeated keys.
 *
 *  - a record whose last `kgw.path` value lists the target is an echo (not written there);
 *  - a record without `kgw.origin.cluster` gets the four origin headers (replacing stray ones);
 *  - `kgw.path` is replaced by one header: the old path plus the source alias (unless already last).
 *
 * Header values are built once per partition batch where they repeat (cluster, topic, partition,
 * the common path), so a record costs one small Buffer (its offset).
 */
import type { RecordHeader } from '../../protocol/records/batch.js';
import {
  H_ORIGIN_CLUSTER,
  H_ORIGIN_OFFSET,
  H_ORIGIN_PARTITION,
  H_ORIGIN_TOPIC,
  H_PATH,
} from '../provenance.js';

const ORIGIN_KEYS = new Set([H_ORIGIN_CLUSTER, H_ORIGIN_TOPIC, H_ORIGIN_PARTITION, H_ORIGIN_OFFSET]);

function lastValue(headers: readonly RecordHeader[], key: string): Buffer | null | undefined {
  for (let i = headers.length - 1; i >= 0; i--) if (headers[i]!.key === key) return headers[i]!.value;
  return undefined;
}

/** The record's path (clusters it has been in, origin first); empty when it has none. */
export function pathOfHeaders(headers: readonly RecordHeader[]): string[] {
  const v = lastValue(headers, H_PATH);
  const raw = v === undefined || v === null ? '' : v.toString('utf8');
  return raw === '' ? [] : raw.split(',');
}

/** Adds provenance to the records of one source partition. */
export class ProvenanceStamper {
  private readonly cluster: Buffer;
  private readonly topic: Buffer;
  private readonly partition: Buffer;
  /** Path value for records that carry no path (first hop): just the source alias. */
  private readonly firstHop: Buffer;
  private lastPathIn: Buffer | null = null;
  private lastPathOut: Buffer | null = null;

  constructor(
    private readonly sourceCluster: string,
    private readonly target: string,
    sourceTopic: string,
    sourcePartition: number,
  ) {
    this.cluster = Buffer.from(sourceCluster);
    this.topic = Buffer.from(sourceTopic);
    this.partition = Buffer.from(String(sourcePartition));
    this.firstHop = this.cluster;
  }

  /** True when the record has already been in the target (writing it there would be an echo). */
  isEcho(headers: readonly RecordHeader[]): boolean {
    if (headers.length === 0) return false;
    return pathOfHeaders(headers).includes(this.target);
  }

  /** The headers of the copy: the source's, in order, with provenance applied. */
  stamp(headers: readonly RecordHeader[], offset: bigint): RecordHeader[] {
    if (headers.length === 0) {
      return [
        { key: H_ORIGIN_CLUSTER, value: this.cluster },
        { key: H_ORIGIN_TOPIC, value: this.topic },
        { key: H_ORIGIN_PARTITION, value: this.partition },
        { key: H_ORIGIN_OFFSET, value: Buffer.from(offset.toString()) },
        { key: H_PATH, value: this.firstHop },
      ];
    }
    const hasOrigin = lastValue(headers, H_ORIGIN_CLUSTER) !== undefined;
    const out: RecordHeader[] = [];
    for (const h of headers) {
      if (h.key === H_PATH) continue;
      if (!hasOrigin && ORIGIN_KEYS.has(h.key)) continue;
      out.push(h);
    }
    if (!hasOrigin) {
      out.push(
        { key: H_ORIGIN_CLUSTER, value: this.cluster },
        { key: H_ORIGIN_TOPIC, value: this.topic },
        { key: H_ORIGIN_PARTITION, value: this.partition },
        { key: H_ORIGIN_OFFSET, value: Buffer.from(offset.toString()) },
      );
    }
    out.push({ key: H_PATH, value: this.nextPath(lastValue(headers, H_PATH) ?? null) });
    return out;
  }

  private nextPath(current: Buffer | null): Buffer {
    if (current === null || current.length === 0) return this.firstHop;
    if (this.lastPathIn !== null && this.lastPathIn.equals(current)) return this.lastPathOut!;
    const path = current.toString('utf8').split(',');
    if (path[path.length - 1] !== this.sourceCluster) path.push(this.sourceCluster);
    this.lastPathIn = current;
    this.lastPathOut = Buffer.from(path.join(','));
    return this.lastPathOut;
  }
}
