/**
 * Every Burrow status reproduced on a real cluster with a short window (3 commits, 1 s cycles),
 * read back through Burrow's v3 HTTP API and the kgw_burrow_* gauges.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { uniqueName } from '../../harness/index.js';
import type { Monitor } from '../../../monitor/monitor.js';
import { eventually, getJson, kafkaFor, sample, sleep, startMonitor, testConfig } from './helpers.js';

interface StatusBody {
  error: boolean;
  message: string;
  status: {
    cluster: string;
    group: string;
    status: string;
    complete: number;
    partitions: {
      topic: string;
      partition: number;
      status: string;
      current_lag: number;
      start: unknown;
      end: unknown;
    }[];
    partition_count: number;
    maxlag: { current_lag: number } | null;
    totallag: number;
  };
  request: { url: string; host: string };
}

describe('Burrow-style status on a real cluster', () => {
  const kafka = kafkaFor('east');
  const prefix = uniqueName('burrow');
  let admin: Admin;
  let producer: Producer;
  let monitor: Monitor;
  let url: string;
  const commit = (group: string, topic: string, offset: number) =>
    admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: String(offset) }] });
  const newTopic = async (records: number) => {
    const topic = uniqueName(`${prefix}-t`);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    if (records > 0) await produce(topic, records);
    return topic;
  };
  const produce = (topic: string, n: number) =>
    producer.send({
      topic,
      messages: Array.from({ length: n }, (_, i) => ({ partition: 0, value: `v${i}` })),
    });
  const status = (group: string, kind: 'status' | 'lag' = 'status') =>
    getJson<StatusBody>(`${url}/v3/kafka/east/consumer/${group}/${kind}`);
  const partitionStatus = async (group: string) =>
    (await status(group, 'lag')).body.status?.partitions[0]?.status;
  const waitFor = (group: string, want: string, timeoutMs = 20_000) =>
    eventually(
      `${group} → ${want}`,
      async () => ((await partitionStatus(group)) === want ? true : undefined),
      timeoutMs,
    );

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();
    ({ monitor, url } = await startMonitor(
      testConfig({ groups: { include: [`^${prefix}`] }, status: { windowSize: 3 } }),
    ));
  });
  after(async () => {
    await monitor.stop();
    await producer.disconnect();
    await admin.disconnect();
  });

  test('OK: caught up', async () => {
    const group = `${prefix}-ok`;
    const topic = await newTopic(10);
    await commit(group, topic, 10);
    await waitFor(group, 'OK');
    const { status: code, body } = await status(group);
    assert.equal(code, 200);
    assert.equal(body.error, false);
    assert.equal(body.message, 'consumer status returned');
    assert.equal(body.status.status, 'OK');
    assert.deepEqual(body.status.partitions, [], '/status lists only partitions that are not OK');
    assert.equal(body.status.partition_count, 1);
    assert.equal(body.status.totallag, 0);
    assert.equal(body.request.url, `/v3/kafka/east/consumer/${group}/status`);
  });

  test('WARN: committing, but the lag grows', async () => {
    const group = `${prefix}-warn`;
    const topic = await newTopic(10);
    let offset = 1;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        await commit(group, topic, offset++);
        await produce(topic, 5);
        await sleep(400);
      }
    })();
    try {
      await waitFor(group, 'WARN');
      const { body } = await status(group);
      assert.equal(body.status.status, 'WARN');
      assert.equal(body.status.partitions[0]!.status, 'WARN');
    } finally {
      stop = true;
      await loop;
    }
  });

  test('STOP: commits stopped while there is lag (no member owns the partition)', async () => {
    const group = `${prefix}-stop`;
    const topic = await newTopic(50);
    for (const o of [5, 10, 15]) {
      await commit(group, topic, o);
      await sleep(1100);
    }
    await waitFor(group, 'STOP');
    const { body } = await status(group);
    assert.equal(body.status.status, 'ERR', 'STOP counts as ERR at group level');
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.equal(sample(text, 'kgw_burrow_status', { cluster: 'east', group }), 3);
    assert.equal(sample(text, 'kgw_burrow_partition_status', { cluster: 'east', group, partition: '0' }), 4);
  });

  test('STALL: a live member keeps the same offset while lag exists', async () => {
    const group = `${prefix}-stall`;
    const topic = await newTopic(30);
    await commit(group, topic, 3);
    const consumer: Consumer = kafka.consumer({ groupId: group, sessionTimeout: 30_000 });
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((r) => (release = r));
    await consumer.connect();
    await consumer.subscribe({ topic });
    // The handler never finishes: the member heartbeats, owns the partition, never advances.
    await consumer.run({ autoCommit: false, eachMessage: () => blocked });
    try {
      await waitFor(group, 'STALL');
      const { body } = await status(group, 'lag');
      assert.equal(body.status.status, 'ERR');
      assert.equal(body.status.partitions[0]!.current_lag, 27);
    } finally {
      release();
      await consumer.disconnect();
    }
  });

  test('REWIND: the committed offset went backwards', async () => {
    const group = `${prefix}-rewind`;
    const topic = await newTopic(100);
    await commit(group, topic, 40);
    await commit(group, topic, 60);
    // kafkajs' setOffsets joins the group for a few seconds, and the monitor sees a member owning
    // the partition re-commit the same offset: a 3-commit window forgets the rewind quickly, so
    // watch while committing.
    const seen = waitFor(group, 'REWIND');
    await commit(group, topic, 10);
    await seen;
  });

  test("Burrow's lists and 404s", async () => {
    const clusters = await getJson<{ error: boolean; message: string; clusters: string[] }>(
      `${url}/v3/kafka`,
    );
    assert.deepEqual(clusters.body.clusters, ['east']);
    assert.equal(clusters.body.message, 'cluster list returned');
    const consumers = await getJson<{ consumers: string[] }>(`${url}/v3/kafka/east/consumer`);
    for (const s of ['ok', 'warn', 'stop', 'stall', 'rewind'])
      assert.ok(consumers.body.consumers.includes(`${prefix}-${s}`), s);
    const missing = await getJson<{ error: boolean; message: string }>(
      `${url}/v3/kafka/east/consumer/nope/status`,
    );
    assert.equal(missing.status, 404);
    assert.deepEqual([missing.body.error, missing.body.message], [true, 'cluster or consumer not found']);
    assert.equal((await getJson(`${url}/v3/kafka/mars/consumer`)).status, 404);
  });
});
