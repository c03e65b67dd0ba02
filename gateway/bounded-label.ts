/**
 * Caps the values one metric label takes from client-supplied names (topic names in Produce
 * requests, names in fetch responses). Every value is a Prometheus series kept for the life of the
 * process, so names a client makes up — 300 produce requests to non-existent topics once added 600
 * series — must not grow the registry without bound. The first `max` distinct values are kept as
 * they are; later ones, and names that cannot be Kafka topic names at all, are counted under
 * OVERFLOW_LABEL, so totals stay right and only the split is lost.
 */
export const OVERFLOW_LABEL = '__other__';

/** Kafka's own rule for topic names (org.apache.kafka.common.internals.Topic.validate). */
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    readonly max: number,
    private readonly legal: (value: string) => boolean = () => true,
  ) {}

  /** The label value to record `value` under. */
  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max || !this.legal(value)) return OVERFLOW_LABEL;
    this.seen.add(value);
    return value;
  }

  /** Distinct values admitted so far. */
  get size(): number {
    return this.seen.size;
  }
}

/** A bounded label for topic names: only legal Kafka topic names (and "unknown") get their own series. */
export function topicLabel(max: number): BoundedLabel {
  return new BoundedLabel(max, (name) => LEGAL_TOPIC.test(name));
}
