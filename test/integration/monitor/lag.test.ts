/**
 * Lag collection against a real broker: exact lag in records (admin-committed offsets and a real
 * consumer), time lag within 10 % of the truth under known produce/consume rates, a KIP-848 group
 * committed by Kafka's own Java consumer, and the deadline when a cluster does not answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Admin, Producer } from 'kafkajs';
import { clusterBootstrap, kafkaTool, uniqueName } from '../../harness/index.js';
import { monitorConfigSchema } from '../../../monitor/config.js';
import { Monitor } from '../../../monitor/monitor.js';
import { eventually, getJson, kafkaFor, sample, sleep, startMonitor, testConfig } from './helpers.js';
import type { GroupLag } from '../../../monitor/lag/types.js';

describe('monitor lag on a real cluster', () => {
  const kafka = kafkaFor('east');
  let admin: Admin;
  let producer: Producer;
  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();
  });
  after(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  test('lag in records is exact per partition, with kafka_exporter and Kafka Lag Exporter names', async () => {
    const topic = uniqueName('lag');
    const group = uniqueName('lag-group');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    for (let p = 0; p < 3; p++) {
      await producer.send({
        topic,
        messages: Array.from({ length: 10 * (p + 1) }, (_, i) => ({ partition: p, value: `v${i}` })),
      });
    }
    // partition 0: 10 records, committed 4 → 6; partition 1: 20, committed 20 → 0; partition 2: 30, committed 1 → 29
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: '4' },
        { partition: 1, offset: '20' },
        { partition: 2, offset: '1' },
      ],
    });
    const monitor = new Monitor(testConfig({ groups: { include: [`^${group}$`] } }));
    try {
      assert.equal(await monitor.cycle('east'), true);
      const lag = monitor.view('east')!.lags.find((g) => g.group === group)!;
      assert.ok(lag, 'group listed');
      assert.deepEqual(lag.partitions.map((p) => [p.partition, p.lag]).sort(), [
        [0, 6],
        [1, 0],
        [2, 29],
      ]);
      assert.equal(lag.totalLag, 35);
      // kafkajs' setOffsets joins the group as a consumer to commit, so this is not a "simple" group
      assert.equal(lag.simple, false);
      const text = await monitor.renderMetrics();
      assert.equal(
        sample(text, 'kafka_consumergroup_lag', { cluster: 'east', consumergroup: group, partition: '2' }),
        29,
      );
      assert.equal(sample(text, 'kafka_consumergroup_lag_sum', { consumergroup: group, topic }), 35);
      assert.equal(
        sample(text, 'kafka_consumergroup_current_offset', { consumergroup: group, partition: '0' }),
        4,
      );
      assert.equal(sample(text, 'kafka_topic_partition_current_offset', { topic, partition: '2' }), 30);
      assert.equal(sample(text, 'kafka_topic_partition_oldest_offset', { topic, partition: '2' }), 0);
      assert.equal(
        sample(text, 'kafka_consumergroup_group_lag', { cluster_name: 'east', group, partition: '0' }),
        6,
      );
      assert.equal(
        sample(text, 'kafka_consumergroup_group_max_lag', { group, is_simple_consumer: 'false' }),
        29,
      );
      assert.equal(sample(text, 'kafka_consumergroup_group_sum_lag', { group }), 35);
      // one cycle: one point per partition, so lag in seconds is unknown rather than invented
      assert.equal(
        sample(text, 'kafka_consumergroup_group_lag_seconds', { group, partition: '2' }),
        undefined,
      );
      assert.equal(sample(text, 'kafka_consumergroup_group_lag_seconds', { group, partition: '1' }), 0);
    } finally {
      await monitor.stop();
    }
  });

  test('a live kafkajs consumer group: exact lag, members and state', async () => {
    const topic = uniqueName('live');
    const group = uniqueName('live-group');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await producer.send({
      topic,
      messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 2, value: `v${i}` })),
    });
    const consumer = kafka.consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({ autoCommitInterval: 100, eachMessage: async () => void seen++ });
    const monitor = new Monitor(testConfig({ groups: { include: [`^${group}$`] } }));
    try {
      await eventually('consumer caught up', async () => (seen === 40 ? true : undefined));
      await producer.send({ topic, messages: [{ partition: 0, value: 'more' }] });
      const lag = await eventually('lag 0 with one member', async () => {
        await monitor.cycle('east');
        const g = monitor.view('east')!.lags.find((x) => x.group === group);
        return g && g.totalLag === 0 && g.members === 1 && g.partitions.length === 2 ? g : undefined;
      });
      assert.equal(lag.state, 'Stable');
      assert.equal(lag.simple, false);
    } finally {
      await consumer.disconnect();
      await monitor.stop();
    }
  });

  test('time lag within 10 % of the truth for known produce and consume rates', async () => {
    const topic = uniqueName('timelag');
    const group = uniqueName('timelag-group');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const { monitor, url } = await startMonitor(testConfig({ groups: { include: [`^${group}$`] } }));
    // produce 100 records/s; commit as a consumer doing 50 records/s that started 2 s late
    const producedAt: number[] = [];
    const t0 = Date.now();
    let stop = false;
    const producing = (async () => {
      while (!stop) {
        const before = Date.now();
        const [meta] = await producer.send({
          topic,
          messages: Array.from({ length: 10 }, () => ({ partition: 0, value: 'x' })),
        });
        const base = Number(meta!.baseOffset);
        const at = (before + Date.now()) / 2;
        for (let i = 0; i < 10; i++) producedAt[base + i] = at;
        await sleep(Math.max(0, 100 - (Date.now() - before)));
      }
    })();
    const committing = (async () => {
      while (!stop) {
        const offset = Math.floor(Math.max(0, (Date.now() - t0 - 2000) / 1000) * 50);
        await admin.setOffsets({
          groupId: group,
          topic,
          partitions: [{ partition: 0, offset: String(offset) }],
        });
        await sleep(200);
      }
    })();
    try {
      await sleep(12_000);
      const { body } = await getJson<{ takenAtMs: number; groups: GroupLag[] }>(`${url}/v1/lag/east`);
      const p = body.groups.find((g) => g.group === group)!.partitions[0]!;
      const truth = (body.takenAtMs - producedAt[p.committed]!) / 1000;
      assert.ok(p.lagSeconds !== undefined, `lag seconds known (${p.lagSecondsKind})`);
      const error = Math.abs(p.lagSeconds - truth) / truth;
      console.log(
        `time lag: monitor ${p.lagSeconds.toFixed(3)} s, truth ${truth.toFixed(3)} s, error ${(error * 100).toFixed(1)} %, lag ${p.lag} records`,
      );
      assert.ok(truth > 3, `the workload built up lag (${truth} s)`);
      assert.ok(error < 0.1, `within 10 %: monitor ${p.lagSeconds} s vs truth ${truth} s`);
    } finally {
      stop = true;
      await Promise.all([producing, committing]);
      await monitor.stop();
    }
  });

  test('KIP-848 consumer groups (Java client, group.protocol=consumer) are listed and measured', async () => {
    const topic = uniqueName('kip848');
    const group = uniqueName('kip848-group');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: `v${i}` })) });
    const res = await kafkaTool(
      'console-consumer',
      [
        '--bootstrap-server',
        clusterBootstrap('east'),
        '--topic',
        topic,
        '--group',
        group,
        '--from-beginning',
        '--max-messages',
        '12',
        '--consumer-property',
        'group.protocol=consumer',
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(res.code, 0, res.stderr);
    const monitor = new Monitor(testConfig({ groups: { include: [`^${group}$`] } }));
    try {
      await monitor.cycle('east');
      const g = monitor.view('east')!.lags.find((x) => x.group === group);
      assert.ok(g, 'kafkajs ListGroups lists the KIP-848 group');
      assert.equal(g.partitions[0]!.committed, 12);
      assert.equal(g.totalLag, 8);
      // DescribeGroups (classic) cannot describe a KIP-848 group: state and members are unknown.
      assert.equal(g.state, 'Unknown');
      assert.equal(g.simple, false);
    } finally {
      await monitor.stop();
    }
  });

  test('a cluster that does not answer misses its deadline without blocking scrapes, and is reported stale', async () => {
    const config = monitorConfigSchema.parse({
      clusters: [{ name: 'nowhere', bootstrap: '127.0.0.1:1' }],
      listen: { host: '127.0.0.1', port: 0 },
      collection: { intervalSeconds: 1, deadlineSeconds: 0.5 },
    });
    const { monitor, url } = await startMonitor(config);
    try {
      await sleep(1500);
      const t = Date.now();
      const res = await fetch(`${url}/metrics`);
      const text = await res.text();
      assert.ok(Date.now() - t < 500, 'scrape answered at once');
      assert.ok(sample(text, 'kgw_monitor_scrape_age_seconds', { cluster: 'nowhere' })! >= 1);
      assert.ok((sample(text, 'kgw_monitor_cycle_failures_total', { cluster: 'nowhere' }) ?? 0) >= 1);
      const health = await getJson<{ clusters: Record<string, { lastError: string | null }> }>(
        `${url}/healthz`,
      );
      assert.ok(health.body.clusters.nowhere!.lastError);
    } finally {
      await monitor.stop();
    }
  });
});
