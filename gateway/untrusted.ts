/**
 * Strings a client chose (user names, SNI names, client ids, resource names) on their way into
 * logs and audit lines: cut to a bounded length, so one request cannot write a megabyte of log,
 * with the original length kept so the cut is visible. Control characters are escaped so a name
 * cannot forge a line of a plain-text log viewer.
 */
const DEFAULT_MAX_CHARS = 256;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

export function untrusted(value: string, maxChars?: number): string;
export function untrusted(value: string | undefined, maxChars?: number): string | undefined;
export function untrusted(value: string | undefined, maxChars = DEFAULT_MAX_CHARS): string | undefined {
  if (value === undefined) return undefined;
  const cut = value.length > maxChars ? value.slice(0, maxChars) : value;
  const safe = cut.replace(CONTROL_CHARS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return value.length > maxChars ? `${safe}…[${value.length} chars]` : safe;
}
