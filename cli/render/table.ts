/**
 * Plain-text tables in the layout of Kafka's own tools (kafka-consumer-groups.sh --describe):
 * upper-case headers, columns padded with spaces, one row per line, no borders, so the output is
 * read by people and by `awk` alike. Numbers are right-aligned.
 */
import { visibleLength, type Style } from './style.js';

export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
  /** Applied to each cell of this column after padding is computed (e.g. colouring a status). */
  readonly decorate?: (cell: string) => string;
}

export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  style: Style,
): string {
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...rows.map((r) => visibleLength(r[i] ?? ''))),
  );
  const pad = (text: string, i: number, decorate?: (s: string) => string): string => {
    const fill = ' '.repeat(Math.max(0, widths[i]! - visibleLength(text)));
    const shown = decorate ? decorate(text) : text;
    return columns[i]!.align === 'right' ? fill + shown : shown + fill;
  };
  const line = (cells: readonly string[], header: boolean): string =>
    cells
      .map((cell, i) => pad(cell, i, header ? undefined : columns[i]!.decorate))
      .join('  ')
      .trimEnd();
  const head = line(
    columns.map((c) => c.header),
    true,
  );
  return [style.bold(head), ...rows.map((r) => line(r, false))].join('\n');
}
