/**
 * Tracing of one copied record, through observability/trace-channels.ts (the mirror imports no
 * tracer): the record is published on `kgw:mirror:record`; a tracing subscriber starts its
 * replication span (continuing the producer's trace read from its headers) and answers with the
 * trace headers the copy carries instead of the producer's. Call only when the channel has
 * subscribers; the span is ended by the caller when the target acknowledges the copy.
 */
import type { FetchRecord } from '../client/fetcher.js';
import { publishMirrorRecord, type SpanHandle } from '../observability/trace-channels.js';
import type { RecordHeader } from '../protocol/records/batch.js';

export interface RecordTraceInput {
  sourceCluster: string;
  targetCluster: string;
  sourceTopic: string;
  targetTopic: string;
  partition: number;
  record: FetchRecord;
  /** The headers the copy gets so far (provenance stamped). */
  headers: RecordHeader[];
  /** Where the span goes, to be ended on acknowledgement. */
  spans: SpanHandle[];
}

/** The copy's headers with the subscriber's trace headers in place of the same keys. */
export function traceRecord(t: RecordTraceInput): RecordHeader[] {
  const answered = publishMirrorRecord({
    sourceCluster: t.sourceCluster,
    targetCluster: t.targetCluster,
    sourceTopic: t.sourceTopic,
    targetTopic: t.targetTopic,
    partition: t.partition,
    offset: t.record.offset.toString(),
    headers: t.record.headers,
  });
  if (answered.span) t.spans.push(answered.span);
  const replaced = answered.traceHeaders ?? [];
  if (replaced.length === 0) return t.headers;
  const keys = new Set(replaced.map((h) => h.key));
  return [...t.headers.filter((h) => !keys.has(h.key)), ...replaced];
}
