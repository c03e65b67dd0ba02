/**
 * Comparing a broker's answer with the gateway's, field by field, after taking out only what is
 * genuinely volatile between two connections: throttle times, broker addresses and racks, ids the
 * cluster assigns per call (fetch session ids, member ids, producer ids, the ids of topics each
 * path created), the broker's internal request object printed in one error message, and the
 * per-path suffix of resource names (authz-reference.ts). Error codes, messages, names, null vs
 * empty, list lengths and order are all compared.
 */
import { foldTags } from './authz-reference.js';

const VOLATILE = new Set(['throttleTimeMs', 'host', 'port', 'unknownTaggedFields', 'rack']);

/**
 * AuthHelper.authorizeClusterOperation's message prints the broker's internal request object
 * (connection id with the client's ephemeral port, buffer positions, object hash codes): only
 * the text around it is compared.
 */
const CLUSTER_OPERATION_MESSAGE = /^Request Request\(.*\) needs (\w+) permission\.$/s;

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export interface NormaliseOptions {
  /** A topic no answer may show (the gateway's security topic, not on the direct path's list). */
  hiddenTopic: string;
  /** Topic id → name, so that the two paths' copies of a topic compare equal. */
  topicNames: ReadonlyMap<string, string>;
}

export function normaliser(o: NormaliseOptions): (x: unknown) => unknown {
  const norm = (x: unknown, key = ''): unknown => {
    if (typeof x === 'string') {
      if (/topicId$/i.test(key) && x !== ZERO_UUID) {
        const name = o.topicNames.get(x);
        return name === undefined ? 'id:unknown' : `id:${foldTags(name)}`;
      }
      if (key === 'memberId' && x !== '') return 'assigned';
      return foldTags(x.replace(CLUSTER_OPERATION_MESSAGE, 'Request <request> needs $1 permission.'));
    }
    if (Array.isArray(x))
      return x
        .filter((e) => !(e && typeof e === 'object' && Object.values(e).includes(o.hiddenTopic)))
        .map((e) => norm(e, key));
    if (Buffer.isBuffer(x)) return x.toString('hex');
    if (typeof x === 'bigint') return key === 'producerId' && x > 0n ? 'assigned' : x.toString();
    if (x && typeof x === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) {
        if (VOLATILE.has(k)) continue;
        out[k] = k === 'sessionId' ? (v === 0 ? 0 : 'issued') : norm(v, k);
      }
      return out;
    }
    return x;
  };
  return (x) => norm(x);
}

/** Field paths where the two normalised answers differ, as "path: direct X, via gateway Y". */
export function differences(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  if (out.length > 20) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} entries direct, ${b.length} via gateway`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], `${path}[${i}]`, out);
    return out;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
    return out;
  }
  if (a !== b) out.push(`${path}: direct ${JSON.stringify(a)}, via gateway ${JSON.stringify(b)}`);
  return out;
}
