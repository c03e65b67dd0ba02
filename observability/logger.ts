/**
 * The one logger factory of every kgw process (gateway, mirror, monitor, `kgw start`).
 *
 * - Secrets never reach a log line: values at the paths below are replaced before formatting, in
 *   every process alike (SASL passwords and tokens, JAAS configurations, raw SASL bytes, PINs).
 * - A person at a terminal gets readable lines (time, level, message, fields); a pipe, a file or a
 *   container log collector gets one JSON object per line, pino's format. `KGW_LOG_FORMAT=json` or
 *   `pretty` overrides the choice, e.g. to read JSON on a terminal.
 */
import pino, { type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

/** Where a value is a secret (pino's redaction paths; `*` is one level of nesting). */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'authBytes',
  '*.authBytes',
  'pin',
  '*.pin',
  'secret',
  '*.secret',
  '["sasl.jaas.config"]',
  '*["sasl.jaas.config"]',
];

export interface LoggerOptions {
  /** Names the process in every line (pino's `name`). */
  name: string;
  level?: Level | 'silent';
  /** Standard output (services) or standard error (`kgw start`, whose stdout is for the person). */
  to?: 'stdout' | 'stderr';
  /** Forces a format; otherwise KGW_LOG_FORMAT, otherwise pretty on a terminal and JSON elsewhere. */
  format?: LogFormat;
}

export function logFormat(o: Pick<LoggerOptions, 'to' | 'format'>, env = process.env): LogFormat {
  if (o.format) return o.format;
  const asked = env.KGW_LOG_FORMAT;
  if (asked === 'json' || asked === 'pretty') return asked;
  const stream = o.to === 'stderr' ? process.stderr : process.stdout;
  return stream.isTTY ? 'pretty' : 'json';
}

export function createLogger(o: LoggerOptions): Logger {
  const fd = o.to === 'stderr' ? 2 : 1;
  const options = {
    name: o.name,
    level: o.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (logFormat(o) === 'json') return pino(options, pino.destination({ fd, sync: true }));
  // In-process and synchronous: no worker thread, and nothing is lost when the process exits.
  const stream = pretty({
    destination: fd,
    sync: true,
    colorize: !process.env.NO_COLOR,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  return pino(options, stream);
}
