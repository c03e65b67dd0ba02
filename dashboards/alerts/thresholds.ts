// Alert thresholds, shared by the alert rules and the dashboards' threshold lines so that a panel
// turns red exactly when the matching alert starts its `for:` clock. Change them here only; the
// promtool tests in dashboards/alerts/tests/ use these values and must be updated with them.

/** ConsumerLagSecondsHigh: a group's worst partition is this many seconds behind... */
export const CONSUMER_LAG_SECONDS_THRESHOLD = 300;
/** ...for this long. */
export const CONSUMER_LAG_FOR = '10m';

/** ConsumerGroupStopped / ConsumerGroupStalled: Burrow status held for this long. */
export const BURROW_STATUS_FOR = '5m';

/** ReplicationLatencyHigh: p99 replication latency per flow, in seconds... */
export const REPLICATION_LATENCY_P99_SECONDS = 30;
/** ...over this rate window... */
export const REPLICATION_LATENCY_WINDOW = '5m';
/** ...for this long. */
export const REPLICATION_LATENCY_FOR = '10m';

/**
 * MirrorHeartbeatMissing: newest heartbeat older than this. MM2 emits heartbeats every
 * emit.heartbeats.interval.seconds (default 1 s), so a minute is many missed beats, not jitter.
 */
export const HEARTBEAT_AGE_SECONDS = 60;
export const HEARTBEAT_FOR = '2m';

/**
 * MirrorSourceDataLost: any source position the mirror had to move over missing data within this
 * window. No `for:` (a loss is a one-off event; waiting would only delay the page).
 */
export const MIRROR_DATA_LOSS_WINDOW = '15m';

/** ProbeMessagesLost: any probe message lost within this window... */
export const PROBE_LOSS_WINDOW = '15m';
/** ...and still in the window this long (filters one-off losses during a broker restart). */
export const PROBE_LOSS_FOR = '5m';

/** AuthenticationFailureSpike: failed authentications per second per listener and mechanism... */
export const AUTH_FAILURES_PER_SECOND = 1;
export const AUTH_FAILURE_WINDOW = '5m';
export const AUTH_FAILURE_FOR = '5m';

/** LagMonitorStale: lag data older than this means the lag alerts above are blind. */
export const MONITOR_STALE_SECONDS = 120;
export const MONITOR_STALE_FOR = '5m';
