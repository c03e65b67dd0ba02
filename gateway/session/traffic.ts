/**
 * Per-topic bytes and messages in, from Produce requests (kafka.server BrokerTopicMetrics). Record
 * counts come from the v2 batch headers; nothing is decompressed.
 */
import { ApiKey, type RequestFrame } from '../../protocol/index.js';
import { scanBatches } from '../../protocol/records/index.js';
import type { GatewayMetrics } from '../metrics.js';
import type { ClusterView } from '../upstream/cluster-view.js';

/** Offset of recordsCount in a magic-v2 batch header. */
const RECORDS_COUNT_OFFSET = 57;

export function countTraffic(frame: RequestFrame, metrics: GatewayMetrics, cluster: ClusterView): void {
  if (frame.apiKey !== ApiKey.Produce) return;
  for (const t of frame.body(ApiKey.Produce).topicData) {
    const topic = t.name || cluster.topicName(t.topicId) || 'unknown';
    let bytes = 0;
    let messages = 0;
    for (const p of t.partitionData) {
      if (!p.records) continue;
      bytes += p.records.length;
      for (const b of scanBatches(p.records).batches) {
        messages += b.magic === 2 ? b.bytes.readInt32BE(RECORDS_COUNT_OFFSET) : 1;
      }
    }
    metrics.bytesIn(topic, bytes, messages);
  }
}
