/**
 * Bytes through the gateway arrive exactly as sent. The gateway recycles its buffers (request frames
 * assembled across reads, upstream read slabs that large Fetch responses are streamed from), so a
 * buffer reused too early would corrupt records of another request or another client. Several
 * megabytes of random records go in through the gateway and are read back by two consumers at
 * once, one of them slow, while a third client asks for megabytes and does not read its socket for
 * a while: its response waits in the gateway, in views of read buffers, while the others' responses
 * stream through the same pool.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import {
  ApiKey,
  FrameReader,
  decodeRecordBatch,
  decodeResponse,
  decodeResponseHeader,
  defaultFetchRequest,
  encodeRequestFrame,
  scanBatches,
} from '../../../protocol/index.js';
import { clusterBootstrap, uniqueName } from '../../harness/index.js';
import { startTestGateway, type TestGateway } from '../../harness/gateway.js';

const { Kafka, logLevel } = kafkajs;
const PARTITIONS = 4;
const RECORDS = 1200;

const digest = (key: Buffer | null, value: Buffer | null, header: Buffer | string | undefined): string =>
  createHash('sha256')
    .update(key ?? '')
    .update('|')
    .update(value ?? '')
    .update('|')
    .update(header ?? '')
    .digest('hex');

describe('data integrity through the gateway', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ upstream: clusterBootstrap('east'), tls: false, mechanisms: [] });
  });
  after(async () => {
    await gw?.close();
  });

  test(
    'random records of up to 48 KiB come back byte for byte, in order, to two consumers and a stalled reader at once',
    { timeout: 180_000 },
    async () => {
      const kafka = new Kafka({ brokers: [gw.bootstrap], logLevel: logLevel.NOTHING, clientId: 'integrity' });
      const topic = uniqueName('integrity');
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
      await admin.disconnect();

      // Expected digests per partition, in send order. Batches of 40 records make produce requests of
      // up to ~1 MiB: each arrives in many socket reads and is assembled in a recycled buffer.
      const expected: string[][] = Array.from({ length: PARTITIONS }, () => []);
      const producer = kafka.producer();
      await producer.connect();
      for (let sent = 0; sent < RECORDS; sent += 40) {
        const messages = Array.from({ length: 40 }, (_, i) => {
          const n = sent + i;
          const partition = n % PARTITIONS;
          const key = Buffer.from(`k-${n}`);
          const value = randomBytes(n % 7 === 0 ? 0 : (n * 7919) % (48 * 1024));
          const header = randomBytes(n % 32);
          expected[partition]!.push(digest(key, value, header));
          return { partition, key, value, headers: { h: header } };
        });
        await producer.send({ topic, acks: -1, messages });
      }
      await producer.disconnect();

      const consume = async (group: string, slow: boolean): Promise<string[][]> => {
        const got: string[][] = Array.from({ length: PARTITIONS }, () => []);
        const consumer = kafka.consumer({ groupId: group, maxBytes: 4 << 20, maxBytesPerPartition: 1 << 20 });
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        let count = 0;
        let finished!: () => void;
        const done = new Promise<void>((r) => (finished = r));
        await consumer.run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              const h = m.headers?.h;
              got[batch.partition]!.push(digest(m.key, m.value, Array.isArray(h) ? h[0] : h));
            }
            count += batch.messages.length;
            if (slow) await sleep(50);
            if (count >= RECORDS) finished();
          },
        });
        // A timer that is cleared, so a finished test leaves nothing running that keeps the process up.
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${group} read ${count} of ${RECORDS} records`)),
            150_000,
          );
        });
        try {
          await Promise.race([done, timeout]);
        } finally {
          clearTimeout(timer);
        }
        await consumer.disconnect();
        return got;
      };
      const stalled = stalledFetch(gw, topic, 2_000);
      const [fast, slow] = await Promise.all([
        consume(uniqueName('integrity-fast'), false),
        consume(uniqueName('integrity-slow'), true),
      ]);
      for (let p = 0; p < PARTITIONS; p++) {
        assert.deepEqual(fast[p], expected[p], `fast consumer, partition ${p}`);
        assert.deepEqual(slow[p], expected[p], `slow consumer, partition ${p}`);
      }
      const held = await stalled;
      for (let p = 0; p < PARTITIONS; p++) {
        assert.ok(held[p]!.length > 10, `stalled reader got records of partition ${p}`);
        assert.deepEqual(held[p], expected[p]!.slice(0, held[p]!.length), `stalled reader, partition ${p}`);
      }
    },
  );
});

/**
 * One Fetch (v12, so the gateway streams the answer) for every partition from offset 0, up to
 * 4 MiB each; the socket is not read for `stallMs`. Returns the records' digests per partition,
 * each batch's CRC verified.
 */
async function stalledFetch(gw: TestGateway, topic: string, stallMs: number): Promise<string[][]> {
  const [host, port] = gw.bootstrap.split(':');
  const socket = connect({ host: host!, port: Number(port) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const request = {
    ...defaultFetchRequest(),
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 16 << 20,
    topics: [
      {
        topic,
        topicId: '',
        partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
          partition,
          currentLeaderEpoch: -1,
          fetchOffset: 0n,
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: 4 << 20,
        })),
      },
    ],
  };
  socket.pause();
  socket.write(
    encodeRequestFrame(
      { apiKey: ApiKey.Fetch, apiVersion: 12, correlationId: 1, clientId: 'stalled' },
      request as never,
    ),
  );
  await sleep(stallMs);
  const reader = new FrameReader({ maxFrameSize: 64 << 20 });
  const payload = await new Promise<Buffer>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      const [frame] = reader.push(chunk);
      if (frame) resolve(frame);
    });
    socket.once('error', reject);
    socket.resume();
  });
  socket.destroy();
  const header = decodeResponseHeader(ApiKey.Fetch, 12, payload);
  const body = decodeResponse(ApiKey.Fetch, 12, payload, header.headerLength);
  const got: string[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const t of body.responses) {
    for (const p of t.partitions) {
      assert.equal(p.errorCode, 0);
      for (const raw of scanBatches(p.records).batches) {
        const batch = await decodeRecordBatch(raw.bytes, { verifyCrc: true });
        for (const r of batch.records) {
          const h = r.headers.find((x) => x.key === 'h')?.value ?? undefined;
          got[p.partitionIndex]!.push(digest(r.key, r.value, h));
        }
      }
    }
  }
  return got;
}
