/**
 * Splitting a request's list of resources into the part forwarded to the broker and the part
 * answered here, and merging both answers back into one response list in the request's order.
 * Upstream entries are matched by key (topic name, topic id, group id), not position: brokers
 * build some responses from maps, so their order is not guaranteed to follow the request.
 */
export interface Split<Q, L> {
  /** Entries to forward. */
  readonly allowed: Q[];
  /** Number of entries answered here. */
  readonly deniedCount: number;
  /**
   * The response list: local answers where the request had them, upstream entries by key. The
   * local entries `L` are built to the response entry type `T` (checked where the result is used).
   */
  merge<T>(upstream: T[]): (T | L)[];
}

export function splitByDecision<Q, L>(
  items: readonly Q[],
  decide: (item: Q) => L | undefined,
  keyOfRequest: (q: Q) => string,
  keyOfResponse: (r: L) => string,
): Split<Q, L> {
  const slots: ({ local: L } | { key: string })[] = [];
  const allowed: Q[] = [];
  let deniedCount = 0;
  for (const item of items) {
    const local = decide(item);
    if (local === undefined) {
      allowed.push(item);
      slots.push({ key: keyOfRequest(item) });
    } else {
      deniedCount++;
      slots.push({ local });
    }
  }
  return {
    allowed,
    deniedCount,
    merge<T>(upstream: T[]): (T | L)[] {
      const byKey = new Map<string, T[]>();
      for (const r of upstream) {
        // Upstream entries carry the same key fields as the local ones.
        const k = keyOfResponse(r as unknown as L);
        const q = byKey.get(k);
        if (q) q.push(r);
        else byKey.set(k, [r]);
      }
      const out: (T | L)[] = [];
      for (const s of slots) {
        if ('local' in s) out.push(s.local);
        else {
          const r = byKey.get(s.key)?.shift();
          if (r !== undefined) out.push(r);
        }
      }
      // Anything the broker added that the request did not name (should not happen) is kept.
      for (const rest of byKey.values()) out.push(...rest);
      return out;
    },
  };
}
