// Kafka's error table (code, name, retriable, stale-metadata, default message), read from the
// kafka-clients jar by running ErrorsTable.java over org.apache.kafka.common.protocol.Errors, so the
// table is Kafka's own rather than transcribed (franz-go's kerr keeps the same four facts per code).
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ErrorRow {
  code: number;
  name: string;
  retriable: boolean;
  invalidMetadata: boolean;
  message: string | null;
}

/** protocol/generator/ErrorsTable.java in the source tree (this module runs from dist/). */
function javaSource(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(resolve(here, '..', '..', '..'), 'protocol', 'generator', 'ErrorsTable.java');
}

export function readErrorTable(libsDir: string): ErrorRow[] {
  let out: string;
  try {
    out = execFileSync('java', ['-cp', join(libsDir, '*'), javaSource()], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 8 << 20,
    });
  } catch (e) {
    throw new Error(`cannot read Kafka's error table with java from ${libsDir}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const rows = out
    .split('\n')
    .filter((l) => l !== '')
    .map((line): ErrorRow => {
      const [code, name, retriable, invalidMetadata, message] = line.split('\t');
      if (!code || !name || !/^-?\d+$/.test(code)) throw new Error(`unexpected ErrorsTable line: ${line}`);
      return {
        code: Number(code),
        name,
        retriable: retriable === 'true',
        invalidMetadata: invalidMetadata === 'true',
        message: message ? message : null,
      };
    });
  if (rows.length < 100) throw new Error(`Kafka's error table has only ${rows.length} rows`);
  return rows;
}

export function emitErrors(rows: ErrorRow[], header: string): string {
  const codes = rows.map((r) => `  ${r.name}: ${r.code},`).join('\n');
  const infos = rows
    .map(
      (r) =>
        `  [${r.code}, { code: ${r.code}, name: '${r.name}', retriable: ${r.retriable}, ` +
        `invalidMetadata: ${r.invalidMetadata}, message: ${JSON.stringify(r.message)} }],`,
    )
    .join('\n');
  return `${header}
/* eslint-disable */
import type { KafkaErrorInfo } from '../schema-types.js';

/** Kafka error codes by name, as in Kafka's Errors enum. */
export const ErrorCode = {
${codes}
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** Every error Kafka defines: whether clients retry it, whether it means stale metadata, its message. */
export const KAFKA_ERRORS: ReadonlyMap<number, KafkaErrorInfo> = new Map<number, KafkaErrorInfo>([
${infos}
]);
`;
}
