// "Replication across data centres": is each source->target flow moving, how far behind is it,
// are consumer-group checkpoints keeping up (failover readiness), and is the mirror alive at all.

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  MIRROR_BYTE_COUNT,
  MIRROR_CHECKPOINT_LATENCY_MS_MAX,
  MIRROR_CONFLICTS_TOTAL,
  MIRROR_HEARTBEAT_AGE_SECONDS,
  MIRROR_LWW_DISCARDED_TOTAL,
  MIRROR_LWW_REPAIRS_TOTAL,
  MIRROR_RECORD_AGE_SECONDS,
  MIRROR_RECORD_COUNT,
  MIRROR_REPLICATION_LATENCY_MS_MAX,
  MIRROR_REPLICATION_LATENCY_SECONDS,
  PROBE_REPLICATION_MESSAGES_LOST_TOTAL,
  PROBE_REPLICATION_ROUNDTRIP_SECONDS,
} from '../observability/metrics/index.js';
import { HEARTBEAT_AGE_SECONDS, REPLICATION_LATENCY_P99_SECONDS } from './alerts/thresholds.js';
import { baseDashboard, labelValuesVariable, row, statPanel, timeSeriesPanel, UNIT } from './panels.js';
import { quantile, RATE_INTERVAL, re, sel } from './promql.js';

export const REPLICATION_UID = 'kgw-replication';

const SOURCE = re('$source');
const TARGET = re('$target');
const TOPIC = re('$topic');
const GROUP = re('$group');

export function replicationDashboard(): dashboard.Dashboard {
  const latencyThresholds = [
    { value: null, color: 'green' },
    { value: REPLICATION_LATENCY_P99_SECONDS, color: 'red' },
  ];
  const heartbeatThresholds = [
    { value: null, color: 'green' },
    { value: HEARTBEAT_AGE_SECONDS, color: 'red' },
  ];
  const flow = { source: SOURCE, target: TARGET };
  const flowTopic = { source: SOURCE, target: TARGET, topic: TOPIC };

  return baseDashboard({
    uid: REPLICATION_UID,
    title: 'Replication across data centres',
    description:
      'Mirror throughput, record age, replication and checkpoint latency, heartbeats and cross-DC probes.',
    tags: ['mirror', 'replication'],
  })
    .withVariable(
      labelValuesVariable({
        name: 'source',
        label: 'Source cluster',
        selector: sel(MIRROR_HEARTBEAT_AGE_SECONDS),
        labelName: 'source',
        multi: true,
      }),
    )
    .withVariable(
      labelValuesVariable({
        name: 'target',
        label: 'Target cluster',
        selector: sel(MIRROR_HEARTBEAT_AGE_SECONDS, { source: SOURCE }),
        labelName: 'target',
        multi: true,
      }),
    )
    .withVariable(
      labelValuesVariable({
        name: 'topic',
        label: 'Topic (as named on the target)',
        selector: sel(MIRROR_RECORD_COUNT, flow),
        labelName: 'topic',
        multi: true,
      }),
    )
    .withVariable(
      labelValuesVariable({
        name: 'group',
        label: 'Consumer group (checkpoints)',
        selector: sel(MIRROR_CHECKPOINT_LATENCY_MS_MAX, flow),
        labelName: 'group',
        multi: true,
      }),
    )
    .withRow(row('Liveness'))
    .withPanel(
      statPanel({
        title: 'Heartbeat age',
        description:
          "Seconds since the newest MM2 heartbeat of each flow reached the target's heartbeats topic. Grows without bound when the flow is down.",
        unit: UNIT.seconds,
        span: 12,
        thresholds: heartbeatThresholds,
        queries: [
          {
            expr: `max by (source, target) (${sel(MIRROR_HEARTBEAT_AGE_SECONDS, flow)})`,
            legend: '{{source}} → {{target}}',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Cross-DC probe messages lost (1h)',
        description: 'Probe messages produced on the source that never arrived on the target within the SLA.',
        unit: UNIT.count,
        span: 12,
        thresholds: [
          { value: null, color: 'green' },
          { value: 1, color: 'red' },
        ],
        queries: [
          {
            expr: `sum by (source, target) (increase(${sel(PROBE_REPLICATION_MESSAGES_LOST_TOTAL, flow)}[1h]))`,
            legend: '{{source}} → {{target}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Heartbeat age over time',
        description: 'A saw-tooth near zero is healthy; a ramp means the flow stopped.',
        unit: UNIT.seconds,
        span: 24,
        thresholds: heartbeatThresholds,
        queries: [
          {
            expr: `max by (source, target) (${sel(MIRROR_HEARTBEAT_AGE_SECONDS, flow)})`,
            legend: '{{source}} → {{target}}',
          },
        ],
      }),
    )
    .withRow(row('Throughput'))
    .withPanel(
      timeSeriesPanel({
        title: 'Records replicated per flow',
        description: 'Records written to the target per second, per source → target flow.',
        unit: UNIT.perSecond,
        span: 12,
        queries: [
          {
            expr: `sum by (source, target) (rate(${sel(MIRROR_RECORD_COUNT, flowTopic)}[${RATE_INTERVAL}]))`,
            legend: '{{source}} → {{target}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Bytes replicated per flow',
        description: 'Bytes written to the target per second, per source → target flow.',
        unit: UNIT.bytesPerSecond,
        span: 12,
        queries: [
          {
            expr: `sum by (source, target) (rate(${sel(MIRROR_BYTE_COUNT, flowTopic)}[${RATE_INTERVAL}]))`,
            legend: '{{source}} → {{target}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Records replicated per topic',
        description: 'Records written to the target per second, per replicated topic.',
        unit: UNIT.perSecond,
        span: 24,
        queries: [
          {
            expr: `sum by (source, target, topic) (rate(${sel(MIRROR_RECORD_COUNT, flowTopic)}[${RATE_INTERVAL}]))`,
            legend: '{{source}} → {{target}} {{topic}}',
          },
        ],
      }),
    )
    .withRow(row('Latency'))
    .withPanel(
      timeSeriesPanel({
        title: 'Replication latency p99',
        description: 'p99 of the time from reading a record on the source to the target acknowledging it.',
        unit: UNIT.seconds,
        span: 12,
        thresholds: latencyThresholds,
        queries: [
          {
            expr: quantile(
              0.99,
              MIRROR_REPLICATION_LATENCY_SECONDS,
              ['source', 'target'],
              flowTopic,
              RATE_INTERVAL,
            ),
            legend: '{{source}} → {{target}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Record age p99',
        description:
          'p99 of record age (now minus the record timestamp) at replication. Includes time the record waited on the source, so it grows with mirror backlog.',
        unit: UNIT.seconds,
        span: 12,
        queries: [
          {
            expr: quantile(0.99, MIRROR_RECORD_AGE_SECONDS, ['source', 'target'], flowTopic, RATE_INTERVAL),
            legend: '{{source}} → {{target}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Replication latency max per topic (MM2 metric)',
        description: "MM2's replication-latency-ms-max, per topic: the worst record in the metric window.",
        unit: UNIT.milliseconds,
        span: 12,
        queries: [
          {
            expr: `max by (source, target, topic) (${sel(MIRROR_REPLICATION_LATENCY_MS_MAX, flowTopic)})`,
            legend: '{{source}} → {{target}} {{topic}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Checkpoint latency max per group',
        description:
          "MM2's checkpoint-latency-ms-max: how long consumer-group offsets take to reach the target. High values mean a failover would re-consume more.",
        unit: UNIT.milliseconds,
        span: 12,
        queries: [
          {
            expr: `max by (source, target, group) (${sel(MIRROR_CHECKPOINT_LATENCY_MS_MAX, {
              source: SOURCE,
              target: TARGET,
              group: GROUP,
              topic: TOPIC,
            })})`,
            legend: '{{source}} → {{target}} {{group}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Cross-DC end-to-end latency',
        description:
          'p50 and p99 of the probe round trip: produced on the source, consumed as mirrored copy on the target.',
        unit: UNIT.seconds,
        span: 24,
        thresholds: latencyThresholds,
        queries: [
          {
            expr: quantile(
              0.5,
              PROBE_REPLICATION_ROUNDTRIP_SECONDS,
              ['source', 'target'],
              flow,
              RATE_INTERVAL,
            ),
            legend: 'p50 {{source}} → {{target}}',
          },
          {
            expr: quantile(
              0.99,
              PROBE_REPLICATION_ROUNDTRIP_SECONDS,
              ['source', 'target'],
              flow,
              RATE_INTERVAL,
            ),
            legend: 'p99 {{source}} → {{target}}',
          },
        ],
      }),
    )
    .withRow(row('Active-active conflicts'))
    .withPanel(
      timeSeriesPanel({
        title: 'Conflicts per topic',
        description:
          'Writes of a key in one cluster within kgw.conflicts.window.ms of a write of the same key in another (docs/mirror.md, Conflicts). Empty unless the window is set.',
        unit: UNIT.perSecond,
        span: 12,
        queries: [
          {
            expr: `sum by (topic) (rate(${sel(MIRROR_CONFLICTS_TOTAL, { topic: TOPIC })}[${RATE_INTERVAL}]))`,
            legend: '{{topic}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Last-writer-wins: losers discarded and winners rewritten',
        description:
          'Versions that lost and were not copied, and winners written again into a cluster whose last record for the key had lost (kgw.conflicts.lww.topics).',
        unit: UNIT.perSecond,
        span: 12,
        queries: [
          {
            expr: `sum by (topic) (rate(${sel(MIRROR_LWW_DISCARDED_TOTAL, { topic: TOPIC })}[${RATE_INTERVAL}]))`,
            legend: 'discarded {{topic}}',
          },
          {
            expr: `sum by (topic, cluster) (rate(${sel(MIRROR_LWW_REPAIRS_TOTAL, { topic: TOPIC })}[${RATE_INTERVAL}]))`,
            legend: 'repaired {{topic}} in {{cluster}}',
          },
        ],
      }),
    )
    .build();
}
