// Prometheus alert rules, written in TypeScript so that metric names come from the catalogue and
// thresholds from thresholds.ts (the dashboards draw the same thresholds). generate.ts renders them
// to dashboards/generated/alerts.yml; dashboards/alerts/tests/*.yml are promtool unit tests for it.

import {
  BURROW_GROUP_STATUS,
  BURROW_STATUS,
  GATEWAY_FAILED_AUTHENTICATION_TOTAL,
  GROUP_MAX_LAG_SECONDS,
  MIRROR_HEARTBEAT_AGE_SECONDS,
  MIRROR_REPLICATION_LATENCY_SECONDS,
  MIRROR_SOURCE_OFFSET_RESETS_TOTAL,
  MIRROR_SOURCE_RECORDS_LOST_TOTAL,
  MONITOR_SCRAPE_AGE_SECONDS,
  PROBE_MESSAGES_LOST_TOTAL,
  PROBE_REPLICATION_MESSAGES_LOST_TOTAL,
} from '../../observability/metrics/index.js';
import { quantile, sel } from '../promql.js';
import * as T from './thresholds.js';

export type Severity = 'critical' | 'warning';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly description: string;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly AlertRule[];
}

/**
 * Where runbooks live, relative to the repository root. Alertmanager shows runbook_url verbatim;
 * deployments that publish the docs elsewhere prefix it in their notification templates.
 */
export const RUNBOOK_DIR = 'docs/runbooks';

export function runbookUrl(alert: string): string {
  return `${RUNBOOK_DIR}/${alert}.md`;
}

export const RULE_GROUPS: readonly RuleGroup[] = [
  {
    name: 'kgw-consumer-lag',
    rules: [
      {
        alert: 'ConsumerLagSecondsHigh',
        expr: `max by (cluster_name, group) (${sel(GROUP_MAX_LAG_SECONDS)}) > ${T.CONSUMER_LAG_SECONDS_THRESHOLD}`,
        for: T.CONSUMER_LAG_FOR,
        severity: 'critical',
        summary:
          'Consumer group {{ $labels.group }} on {{ $labels.cluster_name }} is {{ $value | humanizeDuration }} behind',
        description:
          `The worst partition of group {{ $labels.group }} on cluster {{ $labels.cluster_name }} has been more than ` +
          `${T.CONSUMER_LAG_SECONDS_THRESHOLD}s behind the log end for ${T.CONSUMER_LAG_FOR}. ` +
          'Consumers are slower than producers or not consuming at all.',
      },
      {
        alert: 'ConsumerGroupStopped',
        expr: `max by (cluster, group) (${sel(BURROW_GROUP_STATUS)}) == ${BURROW_STATUS.STOP}`,
        for: T.BURROW_STATUS_FOR,
        severity: 'critical',
        summary: 'Consumer group {{ $labels.group }} on {{ $labels.cluster }} has stopped committing',
        description:
          'Burrow-style status STOP: group {{ $labels.group }} on {{ $labels.cluster }} has committed no offsets for ' +
          'longer than the evaluation window while its partitions have lag. The consumers are down or stuck.',
      },
      {
        alert: 'ConsumerGroupStalled',
        expr: `max by (cluster, group) (${sel(BURROW_GROUP_STATUS)}) == ${BURROW_STATUS.STALL}`,
        for: T.BURROW_STATUS_FOR,
        severity: 'critical',
        summary: 'Consumer group {{ $labels.group }} on {{ $labels.cluster }} is stalled',
        description:
          'Burrow-style status STALL: group {{ $labels.group }} on {{ $labels.cluster }} keeps committing the same ' +
          'offset while lag is non-zero. A consumer is alive but not making progress (poison record, blocked handler).',
      },
      {
        alert: 'LagMonitorStale',
        expr: `max by (cluster) (${sel(MONITOR_SCRAPE_AGE_SECONDS)}) > ${T.MONITOR_STALE_SECONDS}`,
        for: T.MONITOR_STALE_FOR,
        severity: 'warning',
        summary: 'Lag data for {{ $labels.cluster }} is {{ $value | humanizeDuration }} old',
        description:
          `The monitor has not collected offsets from cluster {{ $labels.cluster }} for more than ${T.MONITOR_STALE_SECONDS}s. ` +
          'Lag dashboards and lag alerts for this cluster are blind until it recovers.',
      },
    ],
  },
  {
    name: 'kgw-replication',
    rules: [
      {
        alert: 'ReplicationLatencyHigh',
        expr: `${quantile(
          0.99,
          MIRROR_REPLICATION_LATENCY_SECONDS,
          ['source', 'target'],
          {},
          T.REPLICATION_LATENCY_WINDOW,
        )} > ${T.REPLICATION_LATENCY_P99_SECONDS}`,
        for: T.REPLICATION_LATENCY_FOR,
        severity: 'warning',
        summary:
          'Replication {{ $labels.source }} → {{ $labels.target }} p99 latency is {{ $value | humanizeDuration }}',
        description:
          `p99 replication latency from {{ $labels.source }} to {{ $labels.target }} has been above ` +
          `${T.REPLICATION_LATENCY_P99_SECONDS}s for ${T.REPLICATION_LATENCY_FOR}. ` +
          'The target is falling behind; a failover now would lose or re-deliver more data than usual.',
      },
      {
        alert: 'MirrorSourceDataLost',
        // The counters appear with the first event: `unless … offset` catches a series that did not
        // exist a window ago, which increase() cannot (it needs two samples).
        expr: (() => {
          const resets = sel(MIRROR_SOURCE_OFFSET_RESETS_TOTAL);
          const by = 'sum by (source, target, topic, partition, reason)';
          const w = T.MIRROR_DATA_LOSS_WINDOW;
          return `(${by} (increase(${resets}[${w}])) > 0) or (${by} (${resets} unless ${resets} offset ${w}) > 0)`;
        })(),
        for: '0m',
        severity: 'critical',
        summary:
          'Mirror {{ $labels.source }} → {{ $labels.target }} skipped data of {{ $labels.topic }}-{{ $labels.partition }} ({{ $labels.reason }})',
        description:
          `In the last ${T.MIRROR_DATA_LOSS_WINDOW} the mirror found data of {{ $labels.topic }}-{{ $labels.partition }} on ` +
          '{{ $labels.source }} gone before it could copy it ({{ $labels.reason }}: records_removed = deleted by retention or ' +
          `DeleteRecords, ${sel(MIRROR_SOURCE_RECORDS_LOST_TOTAL)} counts them; offsets_went_backwards / topic_recreated = ` +
          'the partition was truncated or the topic re-created) and moved on. The target lacks those records.',
      },
      {
        alert: 'MirrorHeartbeatMissing',
        expr: `max by (source, target) (${sel(MIRROR_HEARTBEAT_AGE_SECONDS)}) > ${T.HEARTBEAT_AGE_SECONDS}`,
        for: T.HEARTBEAT_FOR,
        severity: 'critical',
        summary:
          'No mirror heartbeat {{ $labels.source }} → {{ $labels.target }} for {{ $value | humanizeDuration }}',
        description:
          `The newest heartbeat from {{ $labels.source }} in the heartbeats topic on {{ $labels.target }} is older than ` +
          `${T.HEARTBEAT_AGE_SECONDS}s. The mirror flow is down or cannot write to the target.`,
      },
    ],
  },
  {
    name: 'kgw-probes',
    rules: [
      {
        alert: 'ProbeMessagesLost',
        expr:
          `(sum by (cluster) (increase(${sel(PROBE_MESSAGES_LOST_TOTAL)}[${T.PROBE_LOSS_WINDOW}])) > 0)` +
          ` or ` +
          `(sum by (source, target) (increase(${sel(PROBE_REPLICATION_MESSAGES_LOST_TOTAL)}[${T.PROBE_LOSS_WINDOW}])) > 0)`,
        for: T.PROBE_LOSS_FOR,
        severity: 'critical',
        summary:
          'End-to-end probe messages lost ({{ with $labels.cluster }}cluster {{ . }}{{ else }}{{ $labels.source }} → {{ $labels.target }}{{ end }})',
        description:
          `{{ $value | humanize }} probe messages were acknowledged but never consumed back within the SLA in the last ${T.PROBE_LOSS_WINDOW}. ` +
          'Either acknowledged writes are being lost (unclean leader election, truncation) or the consume path is broken.',
      },
    ],
  },
  {
    name: 'kgw-gateway-security',
    rules: [
      {
        alert: 'AuthenticationFailureSpike',
        expr:
          `sum by (instance, listener, mechanism) (rate(${sel(GATEWAY_FAILED_AUTHENTICATION_TOTAL)}[${T.AUTH_FAILURE_WINDOW}]))` +
          ` > ${T.AUTH_FAILURES_PER_SECOND}`,
        for: T.AUTH_FAILURE_FOR,
        severity: 'warning',
        summary:
          'Authentication failures on {{ $labels.instance }} {{ $labels.listener }} ({{ $labels.mechanism }})',
        description:
          `{{ $value | humanize }} failed authentications per second on gateway {{ $labels.instance }}, listener ` +
          `{{ $labels.listener }}, mechanism {{ $labels.mechanism }}, for ${T.AUTH_FAILURE_FOR} ` +
          `(threshold ${T.AUTH_FAILURES_PER_SECOND}/s). A misconfigured client after a credential rotation, or a credential-guessing attempt.`,
      },
    ],
  },
];

export const ALL_ALERTS: readonly AlertRule[] = RULE_GROUPS.flatMap((g) => g.rules);

/** The Prometheus rule-file document (serialise with the `yaml` package). */
export function ruleFile(): { groups: unknown[] } {
  return {
    groups: RULE_GROUPS.map((group) => ({
      name: group.name,
      ...(group.interval === undefined ? {} : { interval: group.interval }),
      rules: group.rules.map((rule) => ({
        alert: rule.alert,
        expr: rule.expr,
        for: rule.for,
        labels: { severity: rule.severity },
        annotations: {
          summary: rule.summary,
          description: rule.description,
          runbook_url: runbookUrl(rule.alert),
        },
      })),
    })),
  };
}
