/**
 * Writes last-writer-wins repairs (the winner of a key, again) into the flow's target cluster with
 * the flow's own producer. Each repair is a copy whose provenance names the winner's origin, and
 * whose path contains the flow's source, so the flow reading the target back sees it as an echo:
 * observed (the target's tail for the key is now the winner), never copied back.
 *
 * Repairs are not mirrored source records: they advance no source position and make no offset
 * sync (for translation they are like any record written on the target by someone else).
 */
import { BatchBuilder } from '../kafka/batch-builder.js';
import type { NativeProducer } from '../kafka/native-producer.js';
import {
  H_ORIGIN_CLUSTER,
  H_ORIGIN_OFFSET,
  H_ORIGIN_PARTITION,
  H_ORIGIN_TOPIC,
  H_PATH,
} from '../provenance.js';
import type { Repair } from './lww.js';

/** Same bound as the data path's chunks: well under a broker's default 1 MiB batch limit. */
const MAX_BATCH_BYTES = 512 * 1024;

export function repairHeaders(r: Repair, writerSource: string): Repair['headers'] {
  const path = r.version.cluster === writerSource ? [writerSource] : [r.version.cluster, writerSource];
  return [
    ...r.headers,
    { key: H_ORIGIN_CLUSTER, value: Buffer.from(r.version.cluster) },
    { key: H_ORIGIN_TOPIC, value: Buffer.from(r.topic) },
    { key: H_ORIGIN_PARTITION, value: Buffer.from(String(r.partition)) },
    { key: H_ORIGIN_OFFSET, value: Buffer.from(r.version.offset.toString()) },
    { key: H_PATH, value: Buffer.from(path.join(',')) },
  ];
}

/**
 * Produces `repairs` (acks=all, idempotent producer), at most one batch per partition per request
 * as the producer requires; resolves with the number written per topic.
 */
export async function writeRepairs(
  producer: NativeProducer,
  repairs: Repair[],
  writerSource: string,
): Promise<Map<string, number>> {
  const byPartition = new Map<string, Repair[]>();
  for (const r of repairs) {
    const id = `${r.topic}\u0000${r.partition}`;
    let list = byPartition.get(id);
    if (list === undefined) byPartition.set(id, (list = []));
    list.push(r);
  }
  const written = new Map<string, number>();
  const queues = [...byPartition.values()].map((list) => ({ list, next: 0 }));
  while (queues.some((q) => q.next < q.list.length)) {
    const items: { topic: string; partition: number; batch: BatchBuilder }[] = [];
    for (const q of queues) {
      if (q.next >= q.list.length) continue;
      const batch = new BatchBuilder();
      let bytes = 0;
      const first = q.list[q.next]!;
      while (q.next < q.list.length && (batch.count === 0 || bytes < MAX_BATCH_BYTES)) {
        const r = q.list[q.next++]!;
        bytes += r.key.length + (r.value?.length ?? 0) + 200;
        batch.add(r.version.ts, r.key, r.value, repairHeaders(r, writerSource));
        written.set(r.topic, (written.get(r.topic) ?? 0) + 1);
      }
      items.push({ topic: first.topic, partition: first.partition, batch });
    }
    await producer.send(items);
  }
  return written;
}
