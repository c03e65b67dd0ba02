/**
 * Where a record on a cluster came from, read from the provenance headers the mirror adds
 * (mirror/provenance.ts): a mirrored record names its origin cluster, topic, partition and offset;
 * a record without them was written on the cluster that holds it.
 */
import type { RecordHeader } from '../../protocol/records/batch.js';
import { H_ORIGIN_CLUSTER, H_ORIGIN_OFFSET, H_ORIGIN_PARTITION, H_ORIGIN_TOPIC } from '../provenance.js';

export interface Origin {
  cluster: string;
  topic: string;
  partition: number;
  offset: bigint;
}

/** The last value of a header (the mirror keeps the first hop's; a repeated key means the last wins). */
function header(headers: readonly RecordHeader[], key: string): string | undefined {
  for (let i = headers.length - 1; i >= 0; i--) {
    const h = headers[i]!;
    if (h.key === key) return h.value === null ? undefined : h.value.toString('utf8');
  }
  return undefined;
}

/** The record's origin, or undefined when it carries no (or unreadable) provenance headers. */
export function originOf(headers: readonly RecordHeader[]): Origin | undefined {
  const cluster = header(headers, H_ORIGIN_CLUSTER);
  const topic = header(headers, H_ORIGIN_TOPIC);
  const partition = header(headers, H_ORIGIN_PARTITION);
  const offset = header(headers, H_ORIGIN_OFFSET);
  if (cluster === undefined || topic === undefined || partition === undefined || offset === undefined)
    return undefined;
  if (!/^\d+$/.test(partition) || !/^\d+$/.test(offset)) return undefined;
  return { cluster, topic, partition: Number(partition), offset: BigInt(offset) };
}
