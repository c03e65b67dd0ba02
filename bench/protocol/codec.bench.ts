/**
 * Codec throughput: Produce request and Fetch response carrying 1,000 × 1 KiB records, the cost of
 * a header-only parse, of splitting a stream into frames, and of the record batch layer.
 *
 *   npm run build && node dist/bench/protocol/codec.bench.js
 */
import {
  ApiKey,
  Compression,
  FrameReader,
  decodeRecordBatch,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRecordBatch,
  encodeRequest,
  encodeRequestFrame,
  encodeResponse,
  type FetchResponse,
  type KafkaRecord,
  type MetadataResponse,
  type ProduceRequest,
} from '../../protocol/index.js';

const RECORDS = 1000;
const VALUE = 1024;

interface Result {
  name: string;
  bytes: number;
  nsPerOp: number;
}
const results: Result[] = [];

/** Runs fn for ~`ms` after a warm-up; reports ns and MB/s per unit of `bytes` (fn handles `perCall` units). */
async function measure(
  name: string,
  bytes: number,
  fn: () => unknown,
  ms = 1000,
  perCall = 1,
): Promise<void> {
  const warmEnd = performance.now() + ms / 4;
  while (performance.now() < warmEnd) await fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    for (let i = 0; i < 16; i++) await fn();
    ops += 16;
  }
  const ns = Number(process.hrtime.bigint() - start) / ops / perCall;
  results.push({ name, bytes, nsPerOp: ns });
  const mbs = bytes / 1e6 / (ns / 1e9);
  console.log(`${name.padEnd(56)} ${fmt(ns).padStart(12)} ns/op ${mbs.toFixed(0).padStart(8)} MB/s`);
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

async function main(): Promise<void> {
  const records: KafkaRecord[] = Array.from({ length: RECORDS }, (_, i) => ({
    attributes: 0,
    timestampDelta: i,
    offsetDelta: i,
    key: Buffer.from(`key-${i}`),
    value: Buffer.alloc(VALUE, i & 0xff),
    headers: [],
  }));
  const batchInput = {
    baseOffset: 0n,
    partitionLeaderEpoch: -1,
    attributes: Compression.None,
    baseTimestamp: 1_700_000_000_000n,
    maxTimestamp: 1_700_000_000_999n,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    records,
  };
  const batch = await encodeRecordBatch(batchInput);

  const produce: ProduceRequest = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [
      {
        name: 'bench-topic',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitionData: [{ index: 0, records: batch }],
      },
    ],
  };
  const fetch: FetchResponse = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topic: '',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAB',
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            highWatermark: 1000n,
            lastStableOffset: 1000n,
            logStartOffset: 0n,
            divergingEpoch: undefined,
            currentLeader: undefined,
            snapshotId: undefined,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: batch,
          },
        ],
      },
    ],
    nodeEndpoints: undefined,
  };

  console.log(
    `node ${process.version}; payload: ${RECORDS} records × ${VALUE} B = batch of ${batch.length} bytes\n`,
  );
  for (const v of [9, 13]) {
    const body = encodeRequest(ApiKey.Produce, v, produce);
    await measure(`Produce v${v} request encode (records as bytes)`, body.length, () =>
      encodeRequest(ApiKey.Produce, v, produce),
    );
    await measure(`Produce v${v} request decode (records as bytes)`, body.length, () =>
      decodeRequest(ApiKey.Produce, v, body),
    );
  }
  for (const v of [11, 18]) {
    const body = encodeResponse(ApiKey.Fetch, v, fetch);
    await measure(`Fetch v${v} response encode (records as bytes)`, body.length, () =>
      encodeResponse(ApiKey.Fetch, v, fetch),
    );
    await measure(`Fetch v${v} response decode (records as bytes)`, body.length, () =>
      decodeResponse(ApiKey.Fetch, v, body),
    );
  }

  // structure-heavy: Metadata response, 3 brokers, 100 topics × 10 partitions
  const metadata: MetadataResponse = {
    throttleTimeMs: 0,
    brokers: [1, 2, 3].map((n) => ({
      nodeId: n,
      host: `broker-${n}.kafka.internal`,
      port: 9092,
      rack: null,
    })),
    clusterId: 'cluster-id-abcdefghij',
    controllerId: 1,
    topics: Array.from({ length: 100 }, (_, t) => ({
      errorCode: 0,
      name: `topic-number-${t}`,
      topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
      isInternal: false,
      partitions: Array.from({ length: 10 }, (_, p) => ({
        errorCode: 0,
        partitionIndex: p,
        leaderId: (p % 3) + 1,
        leaderEpoch: 5,
        replicaNodes: [1, 2, 3],
        isrNodes: [1, 2, 3],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: -2147483648,
    })),
    clusterAuthorizedOperations: -2147483648,
    errorCode: 0,
  };
  const metadataBytes = encodeResponse(ApiKey.Metadata, 12, metadata);
  await measure(
    `Metadata v12 response decode (100 topics × 10 partitions, ${metadataBytes.length} B)`,
    metadataBytes.length,
    () => decodeResponse(ApiKey.Metadata, 12, metadataBytes),
  );
  await measure('Metadata v12 response encode (same)', metadataBytes.length, () =>
    encodeResponse(ApiKey.Metadata, 12, metadata),
  );

  const frame = encodeRequestFrame(
    { apiKey: ApiKey.Produce, apiVersion: 13, correlationId: 7, clientId: 'bench-producer' },
    produce,
  );
  await measure('request header parse (Produce v13 frame)', frame.length, () =>
    decodeRequestHeader(frame, 4),
  );

  // frames split across 64 KiB socket chunks: each 1 MB frame is reassembled (one copy)
  const stream = Buffer.concat(Array.from({ length: 16 }, () => frame));
  const chunks: Buffer[] = [];
  for (let p = 0; p < stream.length; p += 65536) chunks.push(stream.subarray(p, p + 65536));
  await measure(
    'frame reader: 1 MB frames from 64 KiB chunks (per frame)',
    frame.length,
    () => {
      const r = new FrameReader({ maxFrameSize: 100 << 20 });
      for (const c of chunks) r.push(c);
    },
    1000,
    16,
  );
  // small frames inside one chunk: zero-copy views
  const small = encodeRequestFrame(
    { apiKey: ApiKey.Metadata, apiVersion: 12, correlationId: 1, clientId: 'bench' },
    {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'orders' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    },
  );
  const smallChunk = Buffer.concat(Array.from({ length: 256 }, () => small));
  await measure(
    `frame reader: ${small.length} B frames, 256 per chunk (per frame)`,
    small.length,
    () => new FrameReader({ maxFrameSize: 100 << 20 }).push(smallChunk),
    1000,
    256,
  );
  await measure(`request header parse (Metadata v12, ${small.length} B frame)`, small.length, () =>
    decodeRequestHeader(small, 4),
  );

  await measure('record batch decode (1,000 records, none, CRC checked)', batch.length, () =>
    decodeRecordBatch(batch),
  );
  await measure('record batch encode (1,000 records, none)', batch.length, () =>
    encodeRecordBatch(batchInput),
  );
  for (const [name, codec] of [
    ['gzip', Compression.Gzip],
    ['snappy', Compression.Snappy],
    ['lz4', Compression.Lz4],
    ['zstd', Compression.Zstd],
  ] as const) {
    const input = { ...batchInput, attributes: codec };
    const compressed = await encodeRecordBatch(input);
    await measure(
      `record batch decode (${name}, ${compressed.length} B on wire)`,
      batch.length,
      () => decodeRecordBatch(compressed),
      300,
    );
    await measure(`record batch encode (${name})`, batch.length, () => encodeRecordBatch(input), 300);
  }
}

await main();
