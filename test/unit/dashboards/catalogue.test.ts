import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  ALL_METRICS,
  BURROW_STATUS,
  findMetric,
  GATEWAY_ACL_DENIALS_TOTAL,
  METRICS,
  promClientOptions,
  seriesNames,
  type MetricDef,
} from '../../../observability/metrics/index.js';
import { renderMetricsDoc } from '../../../dashboards/metrics-doc.js';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

describe('metric catalogue', () => {
  it('has valid, unique metric and series names', () => {
    const seen = new Map<string, string>();
    for (const def of ALL_METRICS) {
      assert.match(def.name, NAME);
      for (const series of seriesNames(def)) {
        assert.equal(
          seen.get(series),
          undefined,
          `${series} defined twice (${def.name}, ${seen.get(series)})`,
        );
        seen.set(series, def.name);
        assert.equal(findMetric(series), def);
      }
    }
    assert.equal(findMetric('kafka_no_such_metric'), undefined);
  });

  it('has valid, unique labels, none reserved', () => {
    for (const def of ALL_METRICS) {
      assert.equal(new Set(def.labelNames).size, def.labelNames.length, `${def.name}: duplicate label`);
      for (const label of def.labelNames) {
        assert.match(label, LABEL, `${def.name}: label ${label}`);
        assert.ok(!label.startsWith('__'), `${def.name}: ${label} is reserved`);
        assert.ok(
          !['le', 'quantile', 'job', 'instance'].includes(label),
          `${def.name}: ${label} is reserved`,
        );
      }
    }
  });

  it('uses the kgw_ prefix exactly for metrics no existing tool defines', () => {
    for (const def of ALL_METRICS) {
      const ours = def.origin.kind === 'kgw' || def.origin.kind === 'burrow';
      assert.equal(def.name.startsWith('kgw_'), ours, `${def.name} (origin ${def.origin.kind})`);
    }
  });

  it('names jmx_exporter metrics after their MBean domain and type', () => {
    for (const def of ALL_METRICS) {
      if (def.origin.kind !== 'jmx') continue;
      const domain = /^([a-z.]+):type=([^,]+)/.exec(def.origin.mbean);
      assert.ok(domain !== null, def.origin.mbean);
      const prefix = `${domain[1]}_${domain[2]}`.replaceAll('.', '_').replaceAll('-', '').toLowerCase();
      assert.ok(def.name.startsWith(prefix), `${def.name} should start with ${prefix}`);
    }
  });

  it('keeps units, suffixes and bucket layouts consistent', () => {
    for (const def of ALL_METRICS) {
      if (def.name.endsWith('_seconds')) assert.equal(def.unit, 'seconds', def.name);
      if (/_ms(_min|_max|_avg)?$|timems$/.test(def.name)) assert.equal(def.unit, 'milliseconds', def.name);
      if (def.name.startsWith('kgw_') && def.type === 'counter') assert.match(def.name, /_total$/);
      if (def.type !== 'counter') assert.doesNotMatch(def.name, /_total$/, `${def.name} is a ${def.type}`);
      if (def.type === 'histogram') {
        assert.ok(def.buckets !== undefined && def.buckets.length > 0, `${def.name}: buckets`);
        const sorted = [...def.buckets].sort((a, b) => a - b);
        assert.deepEqual([...def.buckets], sorted, `${def.name}: buckets ascending`);
        assert.equal(new Set(def.buckets).size, def.buckets.length, `${def.name}: duplicate bucket`);
      } else {
        assert.equal(def.buckets, undefined, `${def.name}: only histograms have buckets`);
      }
      assert.ok(def.help.length > 10, `${def.name}: help text`);
    }
  });

  it('includes the metrics the gateway, mirror and monitor are specified to export', () => {
    const required = [
      'kafka_network_requestmetrics_requests_total',
      'kafka_network_requestmetrics_totaltimems',
      'kafka_network_requestmetrics_remotetimems',
      'kafka_network_requestmetrics_localtimems',
      'kafka_server_brokertopicmetrics_bytesin_total',
      'kafka_server_brokertopicmetrics_bytesout_total',
      'kafka_server_brokertopicmetrics_messagesin_total',
      'kafka_server_socketservermetrics_connection_count',
      'kafka_server_socketservermetrics_successful_authentication_total',
      'kafka_server_socketservermetrics_failed_authentication_total',
      'kafka_server_socketservermetrics_successful_reauthentication_total',
      'kafka_server_socketservermetrics_failed_reauthentication_total',
      'kgw_gateway_acl_denials_total',
      'kgw_gateway_connections_rejected_total',
      'kafka_connect_mirror_mirrorsourceconnector_record_count',
      'kafka_connect_mirror_mirrorsourceconnector_record_rate',
      'kafka_connect_mirror_mirrorsourceconnector_byte_count',
      'kafka_connect_mirror_mirrorsourceconnector_byte_rate',
      'kafka_connect_mirror_mirrorsourceconnector_record_age_ms',
      'kafka_connect_mirror_mirrorsourceconnector_record_age_ms_min',
      'kafka_connect_mirror_mirrorsourceconnector_record_age_ms_max',
      'kafka_connect_mirror_mirrorsourceconnector_record_age_ms_avg',
      'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms',
      'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_min',
      'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_max',
      'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_avg',
      'kafka_connect_mirror_mirrorcheckpointconnector_checkpoint_latency_ms',
      'kgw_mirror_replication_latency_seconds',
      'kgw_mirror_record_age_seconds',
      'kgw_mirror_heartbeat_age_seconds',
      'kafka_consumergroup_lag',
      'kafka_consumergroup_lag_sum',
      'kafka_consumergroup_current_offset',
      'kafka_consumergroup_current_offset_sum',
      'kafka_topic_partition_current_offset',
      'kafka_topic_partition_oldest_offset',
      'kafka_consumergroup_group_lag_seconds',
      'kafka_consumergroup_group_max_lag_seconds',
      'kafka_consumergroup_group_max_lag',
      'kafka_consumergroup_group_sum_lag',
      'kafka_consumergroup_group_topic_sum_lag',
      'kgw_burrow_status',
      'kminion_end_to_end_messages_produced_total',
      'kminion_end_to_end_messages_received_total',
      'kminion_end_to_end_messages_lost_total',
      'kminion_end_to_end_produce_latency_seconds',
      'kminion_end_to_end_roundtrip_latency_seconds',
      'kminion_end_to_end_commit_latency_seconds',
      'kgw_probe_replication_roundtrip_seconds',
      'kgw_monitor_scrape_age_seconds',
      'kgw_monitor_cycle_duration_seconds',
    ];
    const names = new Set(ALL_METRICS.map((d) => d.name));
    for (const name of required) assert.ok(names.has(name), `${name} missing`);
  });

  it("labels MM2 metrics as MirrorMaker 2's MBeans tag them", () => {
    for (const def of METRICS.mirror) {
      if (def.name.startsWith('kafka_connect_mirror_mirrorsourceconnector_')) {
        assert.deepEqual(def.labelNames, ['source', 'target', 'topic', 'partition'], def.name);
      }
      if (def.name.startsWith('kafka_connect_mirror_mirrorcheckpointconnector_')) {
        assert.deepEqual(def.labelNames, ['source', 'target', 'group', 'topic', 'partition'], def.name);
      }
    }
  });

  it("uses Burrow's status codes", () => {
    assert.deepEqual(BURROW_STATUS, { NOTFOUND: 0, OK: 1, WARN: 2, ERR: 3, STOP: 4, STALL: 5, REWIND: 6 });
  });

  it('registers every metric with prom-client and exposes the catalogued series', async () => {
    const registry = new Registry();
    const make = (def: MetricDef): void => {
      const options = { ...promClientOptions(def), registers: [registry] };
      if (def.type === 'counter') new Counter(options);
      else if (def.type === 'gauge') new Gauge(options);
      else new Histogram(options);
    };
    ALL_METRICS.forEach(make);
    // label names are typed from the catalogue: this line would not compile with a wrong label
    const denials = registry.getSingleMetric(GATEWAY_ACL_DENIALS_TOTAL.name) as Counter<
      (typeof GATEWAY_ACL_DENIALS_TOTAL.labelNames)[number]
    >;
    denials.inc({ api: 'Produce', resource_type: 'TOPIC', operation: 'WRITE' });
    const text = await registry.metrics();
    for (const def of ALL_METRICS) assert.match(text, new RegExp(`^# TYPE ${def.name} ${def.type}$`, 'm'));
    assert.match(
      text,
      /^kgw_gateway_acl_denials_total\{api="Produce",resource_type="TOPIC",operation="WRITE"\} 1$/m,
    );
  });

  it('documents every metric in docs/metrics.md', () => {
    const doc = renderMetricsDoc();
    for (const def of ALL_METRICS)
      assert.ok(doc.includes(`| \`${def.name}\` |`), `${def.name} not in the table`);
  });
});
