/**
 * `kgw lag` output: one row per group, topic and partition with Kafka's column names
 * (kafka-consumer-groups.sh --describe: CURRENT-OFFSET, LOG-END-OFFSET, LAG) plus the time lag and
 * Burrow's status, and a closing note that says how the time lag and status were obtained.
 */
import type { TimeLagKind } from '../../monitor/lag/lookup-table.js';
import type { ClusterLagReport, LagMethod } from '../support/lag-report.js';
import { formatSeconds } from './format.js';
import type { Style } from './style.js';
import { renderTable, type Column } from './table.js';

/** "12s" measured between points, "~12s" extrapolated, ">=12s" a lower bound, "?" unknown. */
export function formatTimeLag(seconds: number | undefined, kind: TimeLagKind): string {
  switch (kind) {
    case 'zero':
      return '0s';
    case 'interpolated':
      return formatSeconds(seconds);
    case 'extrapolated':
      return `~${formatSeconds(seconds)}`;
    case 'lower-bound':
      return `>=${formatSeconds(seconds)}`;
    case 'too-few-points':
      return '?';
  }
}

export function renderLagTable(reports: readonly ClusterLagReport[], style: Style): string {
  const columns: Column[] = [
    { header: 'CLUSTER' },
    { header: 'GROUP' },
    { header: 'TOPIC' },
    { header: 'PARTITION', align: 'right' },
    { header: 'CURRENT-OFFSET', align: 'right' },
    { header: 'LOG-END-OFFSET', align: 'right' },
    { header: 'LAG', align: 'right' },
    { header: 'TIME-LAG', align: 'right' },
    { header: 'STATUS', decorate: (s) => style.status(s) },
  ];
  const rows: string[][] = [];
  for (const r of reports)
    for (const g of [...r.groups].sort((a, b) => a.group.localeCompare(b.group)))
      for (const p of g.partitions)
        rows.push([
          r.cluster,
          g.group,
          p.topic,
          String(p.partition),
          String(p.committed),
          String(p.logEnd),
          String(p.lag),
          formatTimeLag(p.lagSeconds, p.lagSecondsKind),
          p.status ?? '-',
        ]);
  const parts: string[] = [];
  if (rows.length > 0) parts.push(renderTable(columns, rows, style));
  else parts.push(reports.some((r) => !r.error) ? 'No consumer group with committed offsets matches.' : '');
  const methods = reports.filter((r) => !r.error).map((r) => r.method);
  if (methods.length > 0 && rows.length > 0) parts.push('', style.dim(methodNote(methods[0]!)));
  return parts.join('\n');
}

export function methodNote(m: LagMethod): string {
  if (m.kind === 'monitor')
    return `TIME-LAG and STATUS from the monitor at ${m.url}: its offset-to-time history and Burrow windows.`;
  if (m.samples < 2)
    return 'TIME-LAG needs two samples: "?" unless the lag is 0 (use --samples 2 or more, or --monitor <url>). STATUS: one sample, not judged.';
  return [
    `TIME-LAG estimated from ${m.samples} samples ${formatSeconds(m.intervalMs / 1000)} apart: "~" extends their trend back in time,`,
    `">=" is a lower bound (no new records between samples), "?" unknown. STATUS: Burrow's rules over ${m.samples} of ${m.windowSize} window points;`,
    'a running monitor (--monitor <url>) knows more history.',
  ].join('\n');
}

export function lagJson(reports: readonly ClusterLagReport[]) {
  return {
    clusters: reports.map((r) => ({
      cluster: r.cluster,
      ...(r.error ? { error: r.error } : {}),
      takenAtMs: r.takenAtMs ?? null,
      method: r.method,
      note: methodNote(r.method),
      groups: r.groups.map((g) => ({
        group: g.group,
        state: g.state,
        members: g.members,
        status: g.status ?? null,
        complete: g.complete ?? null,
        totalLag: g.totalLag,
        maxLagSeconds: g.maxLagSeconds ?? null,
        partitions: g.partitions.map((p) => ({
          topic: p.topic,
          partition: p.partition,
          currentOffset: p.committed,
          logEndOffset: p.logEnd,
          lag: p.lag,
          lagSeconds: p.lagSeconds ?? null,
          lagSecondsKind: p.lagSecondsKind,
          status: p.status ?? null,
        })),
      })),
    })),
  };
}
