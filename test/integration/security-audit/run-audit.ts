/** Runs `kgw audit … --json` as a user would (a separate process) and returns its exit code and report. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AuditReport, CheckStatus } from '../../../security-audit/index.js';

const kgw = fileURLToPath(new URL('../../../cli/kgw.js', import.meta.url));

export async function runAuditCli(
  args: string[],
): Promise<{ code: number; report: AuditReport; stderr: string }> {
  const child = spawn(process.execPath, [kgw, 'audit', ...args, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  if (!stdout.trim()) throw new Error(`kgw audit printed no report (exit ${code}): ${stderr}`);
  return { code, report: JSON.parse(stdout) as AuditReport, stderr };
}

/** check id → status, for assertions that name every check. */
export const statuses = (r: AuditReport): Record<string, CheckStatus> =>
  Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

/** "id: status — summary" of every check not in `ok`, for assertion messages. */
export const explain = (r: AuditReport, ok: CheckStatus[] = ['pass']): string =>
  r.checks
    .filter((c) => !ok.includes(c.status))
    .map((c) => `${c.id}: ${c.status} — ${c.summary}`)
    .join('\n');
