/**
 * The audit report for people (a terminal: one line per check, what was found, what to change)
 * and for machines (`--json`: the AuditReport as is).
 */
import type { AuditReport } from './runner.js';
import { FAMILIES, type CheckResult, type CheckStatus } from './types.js';

const COLOUR: Record<CheckStatus, string> = { pass: '32', fail: '31', warn: '33', skip: '90', error: '35' };

export interface RenderOptions {
  colour: boolean;
  /** Show details of passing and skipped checks too. */
  verbose: boolean;
}

function label(status: CheckStatus, colour: boolean): string {
  const text = status.toUpperCase().padEnd(5);
  return colour ? `\x1b[${COLOUR[status]}m${text}\x1b[0m` : text;
}

/** One check as a few lines; shown incrementally while the audit runs, and again in the report. */
export function renderCheck(r: CheckResult, o: RenderOptions): string {
  const width = 30;
  const lines = [`  ${label(r.status, o.colour)} ${r.id.padEnd(width)} ${r.title}`];
  const indent = ' '.repeat(8 + width);
  lines.push(`${indent}${r.summary}`);
  const showDetails = o.verbose || r.status === 'fail' || r.status === 'warn' || r.status === 'error';
  if (showDetails) for (const d of r.details ?? []) lines.push(`${indent}  · ${d}`);
  if (r.remedy && (r.status === 'fail' || r.status === 'warn')) lines.push(`${indent}fix: ${r.remedy}`);
  return lines.join('\n');
}

export function renderReport(report: AuditReport, o: RenderOptions): string {
  const out: string[] = [];
  const e = report.endpoint;
  out.push(`kgw audit ${report.target}  (${report.startedAt}, ${(report.durationMs / 1000).toFixed(1)} s)`);
  out.push(
    `endpoint: ${e.tls ? `TLS, certificate ${e.certificateVerifies ? 'verifies' : 'does NOT verify'}` : 'plaintext'}; ` +
      `SASL: ${e.saslMechanisms.length ? e.saslMechanisms.join(', ') : 'none'}`,
  );
  out.push(
    `user: ${report.principals.user ?? '(none)'}; administrator: ${report.principals.admin ?? '(none: nothing is created)'}`,
  );
  for (const n of report.notes) out.push(`  - ${n}`);
  out.push(
    `traffic: ${report.budget.used.connections} connections and ${report.budget.used.requests} requests ` +
      `(bounded by ${report.budget.max.connections} and ${report.budget.max.requests})`,
  );
  for (const family of FAMILIES) {
    const rs = report.checks.filter((c) => c.family === family);
    if (rs.length === 0) continue;
    out.push('', family.toUpperCase());
    for (const r of rs) out.push(renderCheck(r, o));
  }
  const s = report.summary;
  out.push(
    '',
    `${s.pass} passed, ${s.fail} failed, ${s.warn} warnings, ${s.skip} skipped, ${s.error} errors`,
  );
  return out.join('\n') + '\n';
}

export const reportJson = (report: AuditReport): string => JSON.stringify(report, null, 2) + '\n';
