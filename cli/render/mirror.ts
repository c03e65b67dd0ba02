/** `kgw mirror status` (and the mirror part of `kgw status`): connectors and tasks, then flows. */
import type { FlowReport, MirrorReport } from '../support/mirror-report.js';
import { formatCount, formatSeconds } from './format.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

const ms = (v: number | undefined): string => (v === undefined ? '-' : formatSeconds(v / 1000));

export function renderConnectors(reports: readonly MirrorReport[], style: Style): string {
  const rows = reports.flatMap((r) =>
    r.connectors.map((c) => [
      r.name,
      c.name,
      c.state,
      c.tasks.map((t) => `${t.id}:${t.state}`).join(' ') || '-',
    ]),
  );
  const table = renderTable(
    [
      { header: 'MIRROR' },
      { header: 'CONNECTOR' },
      { header: 'STATE', decorate: (s) => style.status(s) },
      { header: 'TASKS' },
    ],
    rows,
    style,
  );
  const traces = reports.flatMap((r) =>
    r.connectors.flatMap((c) =>
      c.tasks.filter((t) => t.trace).map((t) => `  ${c.name} task ${t.id}: ${t.trace!.split('\n')[0]}`),
    ),
  );
  return traces.length > 0 ? `${table}\n\nFailed tasks:\n${traces.join('\n')}` : table;
}

export function renderFlows(rows: readonly (FlowReport & { mirror: string })[], style: Style): string {
  return renderTable(
    [
      { header: 'MIRROR' },
      { header: 'FLOW' },
      { header: 'RECORDS', align: 'right' },
      { header: 'LATENCY-AVG', align: 'right' },
      { header: 'LATENCY-MAX', align: 'right' },
      { header: 'RECORD-AGE-MAX', align: 'right' },
      { header: 'HEARTBEAT-AGE', align: 'right' },
      { header: 'LAG', align: 'right' },
      { header: 'LAG-TIME', align: 'right' },
      { header: 'PROBE-LOST', align: 'right' },
    ],
    rows.map((f) => [
      f.mirror,
      f.flow,
      formatCount(f.recordsReplicated),
      ms(f.latencyMsAvg),
      ms(f.latencyMsMax),
      ms(f.recordAgeMsMax),
      formatSeconds(f.heartbeatAgeSeconds),
      formatCount(f.lagRecords),
      formatSeconds(f.lagSecondsMax),
      f.probeLost === undefined ? '-' : `${f.probeLost}/${f.probeProduced ?? 0}`,
    ]),
    style,
  );
}

export function renderMirrorStatus(
  reports: readonly MirrorReport[],
  style: Style,
  monitorGiven: boolean,
): string {
  const parts = [
    renderConnectors(reports, style),
    '',
    renderFlows(
      reports.flatMap((r) => r.flows.map((f) => ({ ...f, mirror: r.name }))),
      style,
    ),
  ];
  const notes = [
    "LATENCY and RECORD-AGE: the mirror's MM2 metrics over its last 30 s window.",
    monitorGiven
      ? 'LAG, LAG-TIME and PROBE-LOST (lost/produced cross-DC probe messages) from the monitor.'
      : 'LAG, LAG-TIME and PROBE-LOST need a monitor: --monitor <url> or monitor: in the context.',
  ];
  for (const r of reports) if (r.error) notes.unshift(`${r.name}: ${r.error}`);
  return [...parts, '', style.dim(notes.join('\n'))].join('\n');
}
