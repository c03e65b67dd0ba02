/**
 * Provenance headers added to every mirrored record, and the echo check that uses them.
 *
 *   kgw.origin.cluster    alias of the cluster the record was first produced to
 *   kgw.origin.topic      its topic there
 *   kgw.origin.partition  its partition there (decimal)
 *   kgw.origin.offset     its offset there (decimal)
 *   kgw.path              comma-separated aliases of every cluster the record has been in, origin first
 *
 * A record already carrying kgw.origin.* (it was mirrored before) keeps them; kgw.path grows by the
 * source alias of each hop. A record whose path contains the target is never written there, which is
 * what keeps active-active with identical topic names (IdentityReplicationPolicy) free of echo.
 */
export const H_ORIGIN_CLUSTER = 'kgw.origin.cluster';
export const H_ORIGIN_TOPIC = 'kgw.origin.topic';
export const H_ORIGIN_PARTITION = 'kgw.origin.partition';
export const H_ORIGIN_OFFSET = 'kgw.origin.offset';
export const H_PATH = 'kgw.path';

export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type Headers = Record<string, HeaderValue>;

function text(v: HeaderValue): string | undefined {
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[v.length - 1] : v;
  return one === undefined ? undefined : one.toString();
}

export function pathOf(headers: Headers | undefined): string[] {
  const raw = headers === undefined ? undefined : text(headers[H_PATH]);
  return raw === undefined || raw === '' ? [] : raw.split(',');
}

/** True when the record has already been in `target`: writing it there would be an echo. */
export function hasVisited(headers: Headers | undefined, target: string): boolean {
  return pathOf(headers).includes(target);
}

export function withProvenance(
  headers: Headers | undefined,
  source: { cluster: string; topic: string; partition: number; offset: string },
): Headers {
  const out: Headers = { ...(headers ?? {}) };
  if (text(out[H_ORIGIN_CLUSTER]) === undefined) {
    out[H_ORIGIN_CLUSTER] = source.cluster;
    out[H_ORIGIN_TOPIC] = source.topic;
    out[H_ORIGIN_PARTITION] = String(source.partition);
    out[H_ORIGIN_OFFSET] = source.offset;
  }
  const path = pathOf(headers);
  if (path[path.length - 1] !== source.cluster) path.push(source.cluster);
  out[H_PATH] = path.join(',');
  return out;
}
