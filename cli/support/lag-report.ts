/**
 * Consumer lag for the operator commands, in one shape whichever way it was obtained:
 *
 *  - sampled now, with the monitor's own code (monitor/lag collector, offset→time tables, lag
 *    computation; monitor/status Burrow windows): `samples` collections `intervalMs` apart. Lag in
 *    records is exact at the last sample. Lag in seconds needs to know when the log end passed the
 *    committed offset, which one-shot sampling only sees between its samples: an offset the log end
 *    passed before the first sample is placed by extending the trend of the samples
 *    ("extrapolated"), and when no record arrived between samples only a lower bound is known;
 *    Burrow's status is judged over the samples taken, not the monitor's full window;
 *  - read from a running monitor (--monitor URL): its /v1/lag view, whose offset→time tables span
 *    its whole history, and Burrow's /v3 status from its full windows.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterConfig } from '../../monitor/config.js';
import { ClusterCollector } from '../../monitor/lag/collector.js';
import { computeLag, LookupTables } from '../../monitor/lag/compute.js';
import type { TimeLagKind } from '../../monitor/lag/lookup-table.js';
import type { GroupLag } from '../../monitor/lag/types.js';
import { StatusStore } from '../../monitor/status/store.js';
import { withDeadline } from '../../monitor/util.js';
import { errorText } from './errors.js';
import { getJson, urlJoin } from './http.js';
import { unreachable } from './kafka-admin.js';
import type { ClusterTarget } from './targets.js';

export interface PartitionReport {
  topic: string;
  partition: number;
  /** Committed offset (Kafka's CURRENT-OFFSET). */
  committed: number;
  /** Log end offset (Kafka's LOG-END-OFFSET). */
  logEnd: number;
  lag: number;
  lagSeconds: number | undefined;
  lagSecondsKind: TimeLagKind;
  /** Burrow's partition status (OK, WARN, STOP, STALL, REWIND), when known. */
  status: string | undefined;
}

export interface GroupReport {
  group: string;
  state: string;
  members: number;
  /** Burrow's group status (OK, WARN, ERR, ...). */
  status: string | undefined;
  /** Fraction of partitions whose Burrow window is full. */
  complete: number | undefined;
  totalLag: number;
  maxLagSeconds: number | undefined;
  /** How the largest time lag was found (an estimate, a lower bound, …). */
  maxLagSecondsKind: TimeLagKind | undefined;
  partitions: PartitionReport[];
}

export type LagMethod =
  | { kind: 'samples'; samples: number; intervalMs: number; windowSize: number }
  | { kind: 'monitor'; url: string };

export interface ClusterLagReport {
  cluster: string;
  takenAtMs: number | undefined;
  method: LagMethod;
  groups: GroupReport[];
  /** Set when the cluster could not be read. */
  error?: string;
}

export interface LagQuery {
  groupFilter: (group: string) => boolean;
  topicFilter: (topic: string) => boolean;
}

/** Burrow's window size in the monitor's defaults (monitor.yaml status.windowSize). */
const WINDOW_SIZE = 10;
const SAMPLE_DEADLINE_MS = 60_000;

export async function sampleLag(
  target: ClusterTarget,
  query: LagQuery,
  opts: { samples: number; intervalMs: number; progress: (text: string) => void },
): Promise<ClusterLagReport> {
  const method: LagMethod = {
    kind: 'samples',
    samples: opts.samples,
    intervalMs: opts.intervalMs,
    windowSize: WINDOW_SIZE,
  };
  const cluster: ClusterConfig = {
    ...target.connection,
    name: target.name,
    clientId: target.connection.clientId ?? 'kgw-cli',
  };
  const collector = new ClusterCollector(cluster, {
    groupFilter: query.groupFilter,
    topicFilter: query.topicFilter,
    concurrency: 8,
    requestTimeoutMs: 15_000,
  });
  const tables = new LookupTables(Math.max(2, opts.samples));
  const store = new StatusStore(WINDOW_SIZE);
  try {
    let lags: GroupLag[] = [];
    let takenAtMs = 0;
    for (let i = 1; i <= opts.samples; i++) {
      opts.progress(`${target.name}: sample ${i} of ${opts.samples}`);
      const snapshot = await withDeadline(collector.collect(), SAMPLE_DEADLINE_MS, `reading ${target.name}`);
      tables.record(snapshot);
      lags = computeLag(snapshot, tables);
      store.observe(target.name, snapshot.takenAtMs, lags, snapshot.groups);
      takenAtMs = snapshot.takenAtMs;
      if (i < opts.samples) {
        opts.progress(
          `${target.name}: next sample in ${Math.round(opts.intervalMs / 100) / 10}s (time lag needs two)`,
        );
        await sleep(Math.max(0, takenAtMs + opts.intervalMs - Date.now()));
      }
    }
    // One sample is no window at all: Burrow's rules are not applied to it.
    const statuses = new Map(opts.samples < 2 ? [] : store.evaluateAll(target.name).map((s) => [s.group, s]));
    return {
      cluster: target.name,
      takenAtMs,
      method,
      groups: lags.map((g) => groupReport(g, statuses.get(g.group))),
    };
  } catch (e) {
    return { cluster: target.name, takenAtMs: undefined, method, groups: [], error: unreachable(target, e) };
  } finally {
    await collector.reset();
  }
}

/** Burrow's view of a group: the evaluator's GroupStatus, or the same fields from its /v3 JSON. */
interface StatusView {
  status: string;
  complete: number;
  partitions: readonly { topic: string; partition: number; status: string }[];
}

function groupReport(g: GroupLag, status: StatusView | undefined): GroupReport {
  // The largest time lag is only known when every lagging partition's is.
  const unknown = g.partitions.some((p) => p.lag > 0 && p.lagSeconds === undefined);
  const worst = unknown
    ? undefined
    : g.partitions.reduce<GroupLag['partitions'][number] | undefined>(
        (w, p) => (p.lagSeconds !== undefined && (w === undefined || p.lagSeconds > w.lagSeconds!) ? p : w),
        undefined,
      );
  const byPartition = new Map(status?.partitions.map((p) => [`${p.topic}\0${p.partition}`, p.status]) ?? []);
  return {
    group: g.group,
    state: g.state,
    members: g.members,
    status: status?.status,
    complete: status?.complete,
    totalLag: g.totalLag,
    maxLagSeconds: worst?.lagSeconds,
    maxLagSecondsKind: unknown ? 'too-few-points' : worst?.lagSecondsKind,
    partitions: [...g.partitions]
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
      .map((p) => ({
        topic: p.topic,
        partition: p.partition,
        committed: p.committed,
        logEnd: p.latest,
        lag: p.lag,
        lagSeconds: p.lagSeconds,
        lagSecondsKind: p.lagSecondsKind,
        status: byPartition.get(`${p.topic}\0${p.partition}`),
      })),
  };
}

interface BurrowLagAnswer {
  error: boolean;
  status?: {
    status: string;
    complete: number;
    partitions: { topic: string; partition: number; status: string }[];
  };
}

/** The clusters a running monitor watches (Burrow's /v3/kafka). */
export async function monitorClusters(url: string): Promise<string[]> {
  const r = await getJson<{ clusters?: string[] }>(urlJoin(url, '/v3/kafka'), 'monitor');
  if (r.status !== 200 || !Array.isArray(r.body.clusters))
    throw new Error(`the monitor at ${url} answered HTTP ${r.status} on /v3/kafka: is this a kgw monitor?`);
  return r.body.clusters;
}

export async function lagFromMonitor(
  url: string,
  cluster: string,
  query: LagQuery,
): Promise<ClusterLagReport> {
  const method: LagMethod = { kind: 'monitor', url };
  try {
    const r = await getJson<{ takenAtMs: number; groups: GroupLag[]; error?: string }>(
      urlJoin(url, `/v1/lag/${encodeURIComponent(cluster)}`),
      'monitor',
    );
    if (r.status === 404)
      return {
        cluster,
        takenAtMs: undefined,
        method,
        groups: [],
        error: `the monitor has no completed collection for ${cluster} yet (see its /healthz)`,
      };
    if (r.status !== 200) throw new Error(`the monitor answered HTTP ${r.status} on /v1/lag/${cluster}`);
    const groups = await Promise.all(
      r.body.groups
        .filter((g) => query.groupFilter(g.group))
        .map(async (g) => {
          const filtered = { ...g, partitions: g.partitions.filter((p) => query.topicFilter(p.topic)) };
          const s = await getJson<BurrowLagAnswer>(
            urlJoin(
              url,
              `/v3/kafka/${encodeURIComponent(cluster)}/consumer/${encodeURIComponent(g.group)}/lag`,
            ),
            'monitor',
          );
          const status = s.status === 200 && s.body.status ? s.body.status : undefined;
          return groupReport(filtered, status);
        }),
    );
    return { cluster, takenAtMs: r.body.takenAtMs, method, groups };
  } catch (e) {
    return { cluster, takenAtMs: undefined, method, groups: [], error: errorText(e) };
  }
}
