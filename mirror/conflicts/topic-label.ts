/**
 * Topic names as metric label values, capped. The same idea as the gateway's bounded labels
 * (gateway/bounded-label.ts, which mirror/ must not import): every label value is a Prometheus
 * series kept for the life of the process, so after `max` distinct topics the rest are counted
 * under OVERFLOW_LABEL: totals stay right, only the split is lost. The mirror's topics come from
 * its own topic filter, so the cap is a guard against a `topics = .*` flow over thousands of
 * topics, not against clients making names up.
 */
export const OVERFLOW_LABEL = '__other__';

export class TopicLabel {
  private readonly seen = new Set<string>();

  constructor(readonly max: number) {}

  of(topic: string): string {
    if (this.seen.has(topic)) return topic;
    if (this.seen.size >= this.max) return OVERFLOW_LABEL;
    this.seen.add(topic);
    return topic;
  }
}
