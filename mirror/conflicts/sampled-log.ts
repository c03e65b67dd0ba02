/**
 * At most `perMinute` log lines per minute for one kind of event; the rest are counted and the
 * count is reported on the next line that is let through. Conflicts can come in storms (two
 * writers fighting over a hot key), and a log line per record would cost more than the record.
 * Time is passed in so the limiter is testable without clocks.
 */
const MINUTE_MS = 60_000;

export class SampledLog {
  private windowStart = -Infinity;
  private inWindow = 0;
  private suppressed = 0;

  constructor(private readonly perMinute: number) {}

  /**
   * Whether to log the event happening at `now`; when it is let through, `suppressed` is how many
   * events were not logged since the previous line (reset by the call).
   */
  take(now: number): { log: true; suppressed: number } | { log: false } {
    if (now - this.windowStart >= MINUTE_MS) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.perMinute) {
      this.suppressed++;
      return { log: false };
    }
    this.inWindow++;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    return { log: true, suppressed };
  }
}
