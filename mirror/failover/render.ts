/**
 * Failover reports for people (a table per run, like kafka-consumer-groups --reset-offsets prints
 * its plan, then warnings and refusals) and for scripts (one JSON document). Pure.
 */
import { formatAge, type GroupPlan, type PlanRow } from './plan.js';

export type Action = 'failover' | 'failback';

export interface GroupOutcome {
  plan: GroupPlan;
  /** True once the offsets were committed on the target. */
  committed: boolean;
  /** Why committing failed (the plan itself was fine). */
  error?: string;
}

export interface FailoverReport {
  action: Action;
  source: string;
  target: string;
  sourceReachable: boolean;
  sourceError?: string;
  /** False for a plan (no --execute): nothing was committed. */
  executed: boolean;
  groups: GroupOutcome[];
  notes: string[];
}

const dash = (v: bigint | number | undefined): string => (v === undefined ? '-' : String(v));

function reRead(r: PlanRow): string {
  if (r.offset === undefined) return '-';
  if (r.reRead === undefined) return '?';
  return r.reRead.complete ? String(r.reRead.count) : `>=${r.reRead.count}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function totalReRead(report: FailoverReport): { count: number; complete: boolean } {
  let count = 0;
  let complete = true;
  for (const g of report.groups)
    for (const r of g.plan.rows) {
      if (r.offset === undefined || r.reRead === undefined) continue;
      count += r.reRead.count;
      complete &&= r.reRead.complete;
    }
  return { count, complete };
}

export function renderText(report: FailoverReport): string {
  const { source: S, target: T } = report;
  const header = [
    'GROUP',
    'TOPIC',
    'PARTITION',
    `OFFSET-ON-${S.toUpperCase()}`,
    `NEW-OFFSET-ON-${T.toUpperCase()}`,
    `CURRENT-ON-${T.toUpperCase()}`,
    `END-ON-${T.toUpperCase()}`,
    'REPLICATION-LAG',
    'RE-READ',
    'FROM',
    'CHECKPOINT-AGE',
  ];
  const rows = [header];
  for (const g of report.groups)
    for (const r of g.plan.rows)
      rows.push([
        g.plan.group,
        r.topic,
        String(r.partition),
        r.sourceOffset === undefined
          ? '-'
          : `${r.sourceOffset}${r.sourceOffsetFrom === 'checkpoint' ? '*' : ''}`,
        dash(r.offset),
        dash(r.targetCommitted),
        String(r.targetEnd),
        r.replicationLag === undefined ? '?' : String(r.replicationLag),
        reRead(r),
        r.basis,
        r.checkpointAgeMs === undefined ? '-' : formatAge(r.checkpointAgeMs),
      ]);
  const out: string[] = [];
  out.push(`${report.action} ${S} -> ${T}${report.sourceReachable ? '' : ` (${S} unreachable)`}`, '');
  out.push(rows.length > 1 ? table(rows) : '(no partitions)');
  if (!report.sourceReachable)
    out.push(`* ${S} is unreachable: the offset is the group's commit as of the checkpoint`);
  const total = totalReRead(report);
  out.push(
    '',
    `records the groups will read again: ${total.complete ? '' : 'at least '}${total.count}` +
      (total.count === 0 && total.complete ? ' (exact translation)' : ''),
  );
  for (const n of report.notes) out.push(`NOTE  ${n}`);
  for (const g of report.groups) {
    for (const w of g.plan.warnings) out.push(`WARN  ${g.plan.group}: ${w}`);
    if (g.plan.refusal !== undefined) out.push(`REFUSED  ${g.plan.group}: ${g.plan.refusal}`);
    else if (g.error !== undefined) out.push(`FAILED  ${g.plan.group}: ${g.error}`);
    else if (g.committed) out.push(`DONE  ${g.plan.group}: offsets committed on ${T}`);
  }
  if (!report.executed)
    out.push(
      '',
      `Nothing was committed: this is the plan. Run the same command with --execute to commit it on ${T}.`,
    );
  return out.join('\n');
}

const num = (v: bigint | undefined): number | null => (v === undefined ? null : Number(v));

export function renderJson(report: FailoverReport): string {
  const total = totalReRead(report);
  return JSON.stringify(
    {
      action: report.action,
      source: report.source,
      target: report.target,
      sourceReachable: report.sourceReachable,
      ...(report.sourceError === undefined ? {} : { sourceError: report.sourceError }),
      executed: report.executed,
      notes: report.notes,
      reRead: total.count,
      reReadComplete: total.complete,
      groups: report.groups.map((g) => ({
        group: g.plan.group,
        committed: g.committed,
        refusal: g.plan.refusal ?? null,
        error: g.error ?? null,
        warnings: g.plan.warnings,
        partitions: g.plan.rows.map((r) => ({
          topic: r.topic,
          partition: r.partition,
          sourceOffset: num(r.sourceOffset),
          sourceOffsetFrom: r.sourceOffsetFrom,
          offset: num(r.offset),
          basis: r.basis,
          targetCommitted: num(r.targetCommitted),
          targetEnd: Number(r.targetEnd),
          replicationLag: num(r.replicationLag),
          checkpointAgeMs: r.checkpointAgeMs ?? null,
          reRead: r.reRead?.count ?? null,
          reReadComplete: r.reRead?.complete ?? null,
          unknownLocal: r.reRead?.unknownLocal ?? null,
        })),
      })),
    },
    null,
    2,
  );
}

/** Exit status: 0 when every group was planned (and committed, with --execute), 1 otherwise. */
export function exitCode(report: FailoverReport): number {
  return report.groups.every(
    (g) => g.plan.refusal === undefined && g.error === undefined && (g.committed || !report.executed),
  )
    ? 0
    : 1;
}
