/**
 * The monitor scraped by a real Prometheus: every monitor metric arrives, and every PromQL
 * expression of the generated dashboards and alert rules (dashboards/generated/) returns data when
 * the metrics it uses come from the monitor. Expressions over gateway and mirror metrics are checked
 * with those processes running in test/integration/dashboards/every-expression.test.ts.
 *
 * Workload: a consumer group with lag that stops committing (STOP), end-to-end probes on east, and
 * a stand-in for the mirror east → west (records copied with an MM2 offset sync, heartbeats, and
 * the cross-DC probe topic copied), so replication lag, heartbeat age and the cross-DC probe have data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { uniqueName } from '../../harness/index.js';
import { METRICS } from '../../../observability/metrics/index.js';
import { encodeHeartbeat, encodeOffsetSync } from '../../../mm2/formats.js';
import type { Monitor } from '../../../monitor/monitor.js';
import { components, dashboardExprs, substitute } from '../dashboards/expressions.js';
import { kafkaFor, sleep, startMonitor, testConfig, eventually } from './helpers.js';
import { startPrometheus, type PrometheusServer } from './prometheus.js';

describe('monitor → real Prometheus', () => {
  const east = kafkaFor('east');
  const west = kafkaFor('west');
  const group = uniqueName('prom-stop');
  const topic = uniqueName('prom-lag');
  const mirrored = uniqueName('prom-mirrored');
  let eastAdmin: Admin;
  let westAdmin: Admin;
  let eastProducer: Producer;
  let westProducer: Producer;
  let copier: Consumer;
  let monitor: Monitor;
  let prometheus: PrometheusServer;
  let heartbeat: NodeJS.Timeout;
  let monitorUrl: string;

  before(async () => {
    eastAdmin = east.admin();
    westAdmin = west.admin();
    eastProducer = east.producer();
    westProducer = west.producer();
    await Promise.all([
      eastAdmin.connect(),
      westAdmin.connect(),
      eastProducer.connect(),
      westProducer.connect(),
    ]);

    // A group with lag that committed once and stopped.
    await eastAdmin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await eastProducer.send({
      topic,
      messages: Array.from({ length: 50 }, (_, i) => ({ partition: i % 2, value: 'x' })),
    });
    await eastAdmin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: '5' },
        { partition: 1, offset: '7' },
      ],
    });

    // Mirror stand-in east → west: 100 records, 60 copied, one offset sync (east 0 → west 0).
    await eastAdmin.createTopics({
      topics: [
        { topic: mirrored, numPartitions: 1 },
        { topic: 'mm2-offset-syncs.west.internal', numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await westAdmin.createTopics({
      topics: [
        { topic: `east.${mirrored}`, numPartitions: 1 },
        { topic: 'heartbeats', numPartitions: 1 },
        { topic: 'east.kgw-monitor-replication-probe', numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await eastProducer.send({
      topic: mirrored,
      messages: Array.from({ length: 100 }, () => ({ value: 'm' })),
    });
    await westProducer.send({
      topic: `east.${mirrored}`,
      messages: Array.from({ length: 60 }, () => ({ value: 'm' })),
    });
    await eastProducer.send({
      topic: 'mm2-offset-syncs.west.internal',
      messages: [
        encodeOffsetSync({ topic: mirrored, partition: 0, upstreamOffset: 0n, downstreamOffset: 0n }),
      ],
    });
    const beat = () =>
      westProducer
        .send({
          topic: 'heartbeats',
          messages: [
            encodeHeartbeat({
              sourceClusterAlias: 'east',
              targetClusterAlias: 'west',
              timestamp: BigInt(Date.now()),
            }),
          ],
        })
        .catch(() => undefined);
    await beat();
    heartbeat = setInterval(() => void beat(), 1000);
    // Cross-DC probe copies: whatever the monitor writes to the probe topic on east appears on west.
    await eastAdmin
      .createTopics({
        topics: [{ topic: 'kgw-monitor-replication-probe', numPartitions: 1 }],
        waitForLeaders: true,
      })
      .catch(() => undefined);
    copier = east.consumer({ groupId: uniqueName('mirror-stand-in') });
    await copier.connect();
    await copier.subscribe({ topic: 'kgw-monitor-replication-probe', fromBeginning: true });
    await copier.run({
      eachMessage: async ({ message }) => {
        await westProducer.send({
          topic: 'east.kgw-monitor-replication-probe',
          messages: [{ value: message.value, headers: message.headers }],
        });
      },
    });

    ({ monitor, url: monitorUrl } = await startMonitor(
      testConfig(
        {
          groups: { include: [`^${group}$`] },
          status: { windowSize: 3 },
          probes: {
            enabled: true,
            topic: uniqueName('kgw-monitor-e2e'),
            group: uniqueName('kgw-monitor-e2e-group'),
            intervalSeconds: 0.5,
          },
          mirrors: [{ source: 'east', target: 'west', topics: { include: [`^${mirrored}$`] }, probe: true }],
        },
        ['east', 'west'],
      ),
    ));
    const address = (monitor as unknown as { server: { address(): { port: number } } }).server.address();
    prometheus = await startPrometheus([`127.0.0.1:${address.port}`]);
  });

  after(async () => {
    clearInterval(heartbeat);
    await prometheus?.stop();
    await monitor?.stop();
    await copier?.disconnect();
    await Promise.all([
      eastAdmin.disconnect(),
      westAdmin.disconnect(),
      eastProducer.disconnect(),
      westProducer.disconnect(),
    ]);
  });

  test('every monitor metric arrives in Prometheus', async () => {
    // Lag seconds need two cycles, STOP a few, rates two scrapes, the probes a round trip.
    await eventually(
      'burrow STOP in Prometheus',
      async () => {
        const r = await prometheus.query(`kgw_burrow_status{group="${group}"} == 3`);
        return r.result.length > 0 ? true : undefined;
      },
      30_000,
    );
    try {
      await eventually(
        'a cross-DC probe round trip in Prometheus',
        async () =>
          (await prometheus.query('kgw_probe_replication_roundtrip_seconds_count > 0')).result.length > 0
            ? true
            : undefined,
        45_000,
      );
    } catch (err) {
      // Say why: probe errors and the probe counters as Prometheus has them.
      const health = await (await fetch(`${monitorUrl}/healthz`)).text();
      const counters = await prometheus.query('{__name__=~"kgw_probe_replication_.*_total"}');
      throw new Error(`${String(err)}\nhealthz: ${health}\ncounters: ${JSON.stringify(counters.result)}`, {
        cause: err,
      });
    }
    await sleep(2000);
    const missing: string[] = [];
    for (const def of METRICS.monitor) {
      const series = def.type === 'histogram' ? `${def.name}_count` : def.name;
      const r = await prometheus.query(series);
      if (r.result.length === 0) missing.push(def.name);
    }
    assert.deepEqual(missing, [], 'monitor metrics without data in Prometheus');
    const lag = await prometheus.query(`kafka_consumergroup_lag{consumergroup="${group}",partition="0"}`);
    assert.equal((lag.result[0] as { value: [number, string] }).value[1], '20');
    const rep = await prometheus.query(`kgw_mirror_partition_lag_records{topic="${mirrored}"}`);
    assert.equal((rep.result[0] as { value: [number, string] }).value[1], '40');
  });

  test('every dashboard and alert expression over monitor metrics returns data', async () => {
    const exprs = dashboardExprs();
    assert.ok(exprs.length > 30, `found ${exprs.length} expressions`);
    const failures: string[] = [];
    const notHere: string[] = [];
    for (const { where, expr } of exprs) {
      const comps = components(expr);
      const q = substitute(expr);
      const r = await prometheus.query(q);
      if (r.result.length > 0) continue;
      if (comps.size > 0 && [...comps].every((c) => c === 'monitor')) failures.push(`${where}: ${q}`);
      else notHere.push(`${where} [${[...comps].join(', ')}]: ${q}`);
    }
    console.log(
      `${exprs.length} expressions; without data because their process is not running here (${notHere.length}):\n  ${notHere.join('\n  ')}`,
    );
    assert.deepEqual(failures, [], 'monitor expressions without data');
  });
});
