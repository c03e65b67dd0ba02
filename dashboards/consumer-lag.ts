// "On-call: consumer lag": the first dashboard an on-call engineer opens for a lag page.
// Top to bottom: is the data fresh, which groups are worst (in time), what Burrow says about them,
// then the per-partition detail needed to tell a slow consumer from a stuck partition.

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  BURROW_GROUP_STATUS,
  BURROW_PARTITION_STATUS,
  CONSUMERGROUP_CURRENT_OFFSET_SUM,
  CONSUMERGROUP_LAG,
  CONSUMERGROUP_MEMBERS,
  GROUP_LAG_SECONDS,
  GROUP_MAX_LAG_SECONDS,
  MONITOR_SCRAPE_AGE_SECONDS,
  TOPIC_PARTITION_CURRENT_OFFSET,
} from '../observability/metrics/index.js';
import { CONSUMER_LAG_SECONDS_THRESHOLD, MONITOR_STALE_SECONDS } from './alerts/thresholds.js';
import {
  baseDashboard,
  burrowStatusMappings,
  labelValuesVariable,
  row,
  stateTimelinePanel,
  statPanel,
  tablePanel,
  timeSeriesPanel,
  UNIT,
} from './panels.js';
import { RATE_INTERVAL, re, sel } from './promql.js';

export const CONSUMER_LAG_UID = 'kgw-consumer-lag';

// Lag Exporter-style metrics label the cluster `cluster_name` and the group `group`;
// kafka_exporter-style ones use `cluster` and `consumergroup`. The variables hold the values.
const CLUSTER = '$cluster';
const GROUP = re('$group');
const TOPIC = re('$topic');

export function consumerLagDashboard(): dashboard.Dashboard {
  const lagThresholds = [
    { value: null, color: 'green' },
    { value: CONSUMER_LAG_SECONDS_THRESHOLD / 2, color: 'yellow' },
    { value: CONSUMER_LAG_SECONDS_THRESHOLD, color: 'red' },
  ];

  return baseDashboard({
    uid: CONSUMER_LAG_UID,
    title: 'On-call: consumer lag',
    description: 'Consumer group lag in time and records, Burrow-style status, and the partitions behind it.',
    tags: ['lag', 'on-call'],
  })
    .withVariable(
      labelValuesVariable({
        name: 'cluster',
        label: 'Cluster',
        selector: sel(GROUP_MAX_LAG_SECONDS),
        labelName: 'cluster_name',
        multi: false,
      }),
    )
    .withVariable(
      labelValuesVariable({
        name: 'group',
        label: 'Consumer group',
        selector: sel(GROUP_MAX_LAG_SECONDS, { cluster_name: CLUSTER }),
        labelName: 'group',
        multi: true,
      }),
    )
    .withVariable(
      labelValuesVariable({
        name: 'topic',
        label: 'Topic',
        selector: sel(GROUP_LAG_SECONDS, { cluster_name: CLUSTER, group: GROUP }),
        labelName: 'topic',
        multi: true,
      }),
    )
    .withRow(row('Overview'))
    .withPanel(
      statPanel({
        title: 'Lag data age',
        description:
          'Seconds since the monitor last collected offsets from this cluster. If this is high, every lag number below is stale.',
        unit: UNIT.seconds,
        span: 6,
        thresholds: [
          { value: null, color: 'green' },
          { value: MONITOR_STALE_SECONDS, color: 'red' },
        ],
        queries: [{ expr: `max(${sel(MONITOR_SCRAPE_AGE_SECONDS, { cluster: CLUSTER })})`, legend: 'age' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Worst time lag',
        description: 'Highest partition time lag over the selected groups.',
        unit: UNIT.seconds,
        span: 6,
        thresholds: lagThresholds,
        queries: [
          {
            expr: `max(${sel(GROUP_MAX_LAG_SECONDS, { cluster_name: CLUSTER, group: GROUP })})`,
            legend: 'max lag',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Groups not OK',
        description: 'Selected groups whose Burrow-style status is WARN or worse (ERR, STOP, STALL, REWIND).',
        unit: UNIT.count,
        span: 6,
        thresholds: [
          { value: null, color: 'green' },
          { value: 1, color: 'red' },
        ],
        queries: [
          {
            expr: `count(${sel(BURROW_GROUP_STATUS, { cluster: CLUSTER, group: GROUP })} >= 2) or vector(0)`,
            legend: 'groups',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Groups without members',
        description: 'Selected groups that have committed offsets but no active member: nobody is consuming.',
        unit: UNIT.count,
        span: 6,
        thresholds: [
          { value: null, color: 'green' },
          { value: 1, color: 'orange' },
        ],
        queries: [
          {
            expr: `count(${sel(CONSUMERGROUP_MEMBERS, { cluster: CLUSTER, consumergroup: GROUP })} == 0) or vector(0)`,
            legend: 'groups',
          },
        ],
      }),
    )
    .withRow(row('Worst groups'))
    .withPanel(
      timeSeriesPanel({
        title: 'Worst groups by time lag',
        description: 'The ten groups with the highest partition time lag (Kafka Lag Exporter estimate).',
        unit: UNIT.seconds,
        span: 16,
        thresholds: lagThresholds,
        queries: [
          {
            expr: `topk(10, max by (group) (${sel(GROUP_MAX_LAG_SECONDS, { cluster_name: CLUSTER, group: GROUP })}))`,
            legend: '{{group}}',
          },
        ],
      }),
    )
    .withPanel(
      tablePanel({
        title: 'Worst groups now',
        description: 'Current highest partition time lag per group, worst first.',
        unit: UNIT.seconds,
        span: 8,
        thresholds: lagThresholds,
        queries: [
          {
            expr: `sort_desc(max by (group) (${sel(GROUP_MAX_LAG_SECONDS, { cluster_name: CLUSTER, group: GROUP })}))`,
            legend: '{{group}}',
          },
        ],
      }),
    )
    .withPanel(
      stateTimelinePanel({
        title: 'Burrow status',
        description:
          'Burrow-style group status over time: OK, WARN (lag growing), ERR (stopped and lagging), STOP (no commits), STALL (commits without progress), REWIND (offset moved back).',
        unit: UNIT.none,
        span: 24,
        mappings: burrowStatusMappings(),
        queries: [
          { expr: sel(BURROW_GROUP_STATUS, { cluster: CLUSTER, group: GROUP }), legend: '{{group}}' },
        ],
      }),
    )
    .withRow(row('Partitions'))
    .withPanel(
      timeSeriesPanel({
        title: 'Lag by partition (records)',
        description: 'Committed offset lag per topic partition of the selected groups.',
        unit: UNIT.count,
        span: 12,
        queries: [
          {
            expr: `sum by (consumergroup, topic, partition) (${sel(CONSUMERGROUP_LAG, {
              cluster: CLUSTER,
              consumergroup: GROUP,
              topic: TOPIC,
            })})`,
            legend: '{{consumergroup}} {{topic}}/{{partition}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Lag by partition (time)',
        description: 'Estimated time lag per topic partition of the selected groups.',
        unit: UNIT.seconds,
        span: 12,
        thresholds: lagThresholds,
        queries: [
          {
            expr: `max by (group, topic, partition) (${sel(GROUP_LAG_SECONDS, {
              cluster_name: CLUSTER,
              group: GROUP,
              topic: TOPIC,
            })})`,
            legend: '{{group}} {{topic}}/{{partition}}',
          },
        ],
      }),
    )
    .withPanel(
      tablePanel({
        title: 'Top lagging partitions',
        description: 'The twenty partitions with the highest time lag right now.',
        unit: UNIT.seconds,
        span: 12,
        thresholds: lagThresholds,
        queries: [
          {
            expr: `topk(20, ${sel(GROUP_LAG_SECONDS, { cluster_name: CLUSTER, group: GROUP, topic: TOPIC })})`,
            legend: '{{group}} {{topic}}/{{partition}}',
          },
        ],
      }),
    )
    .withPanel(
      tablePanel({
        title: 'Partitions not OK',
        description: 'Partitions whose Burrow-style status is WARN or worse, with the status.',
        unit: UNIT.none,
        span: 12,
        mappings: burrowStatusMappings(),
        queries: [
          {
            expr: `${sel(BURROW_PARTITION_STATUS, { cluster: CLUSTER, group: GROUP, topic: TOPIC })} >= 2`,
            legend: '{{group}} {{topic}}/{{partition}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Produce vs consume rate',
        description:
          'Records appended to the topics (log end offset growth) against records the groups commit past. Consumption below production means lag grows.',
        unit: UNIT.perSecond,
        span: 24,
        queries: [
          {
            expr: `sum by (topic) (rate(${sel(TOPIC_PARTITION_CURRENT_OFFSET, { cluster: CLUSTER, topic: TOPIC })}[${RATE_INTERVAL}]))`,
            legend: 'produced {{topic}}',
          },
          {
            expr: `sum by (consumergroup, topic) (rate(${sel(CONSUMERGROUP_CURRENT_OFFSET_SUM, {
              cluster: CLUSTER,
              consumergroup: GROUP,
              topic: TOPIC,
            })}[${RATE_INTERVAL}]))`,
            legend: 'consumed {{consumergroup}} {{topic}}',
          },
        ],
      }),
    )
    .build();
}
