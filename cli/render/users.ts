/** `kgw users list` output: one row per user and mechanism. */
import type { Style } from './style.js';
import { renderTable } from './table.js';

export interface UserRow {
  user: string;
  mechanism: string;
  iterations: number;
}

export function renderUsers(rows: readonly UserRow[], style: Style): string {
  if (rows.length === 0) return 'No SCRAM users.';
  return renderTable(
    [{ header: 'USER' }, { header: 'MECHANISM' }, { header: 'ITERATIONS', align: 'right' }],
    rows.map((r) => [r.user, r.mechanism, String(r.iterations)]),
    style,
  );
}

export const usersJson = (rows: readonly UserRow[]) => rows.map((r) => ({ ...r }));
