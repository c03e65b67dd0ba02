/**
 * What `kgw mirror status` and `kgw status` show of a mirror: its connectors and tasks from the
 * Kafka-Connect-shaped REST API (mirror/rest.ts), per flow the records replicated, replication
 * latency and record age from its /metrics (MM2's MirrorSourceConnector metric names), heartbeat
 * age; and, when a monitor is given, the replication lag it measures on the clusters
 * (/v1/replication) and its cross-DC probe's lost-message counter.
 */
import { errorText } from './errors.js';
import { getJson, getText, urlJoin } from './http.js';
import { max, parseExposition, sum, type Sample } from './prometheus-text.js';

export interface TaskReport {
  id: number;
  state: string;
  trace?: string;
}

export interface ConnectorReport {
  name: string;
  /** MirrorSourceConnector, MirrorCheckpointConnector, MirrorHeartbeatConnector. */
  connectorClass: string;
  flow: string;
  state: string;
  tasks: TaskReport[];
}

export interface FlowReport {
  flow: string;
  source: string;
  target: string;
  recordsReplicated: number | undefined;
  latencyMsMax: number | undefined;
  latencyMsAvg: number | undefined;
  recordAgeMsMax: number | undefined;
  checkpointLatencyMsMax: number | undefined;
  heartbeatAgeSeconds: number | undefined;
  /** From a monitor: records not yet on the target, summed over partitions. */
  lagRecords: number | undefined;
  /** From a monitor: the largest partition lag in seconds. */
  lagSecondsMax: number | undefined;
  /** From a monitor's cross-DC probe. */
  probeProduced: number | undefined;
  probeLost: number | undefined;
}

export interface MirrorReport {
  name: string;
  url: string;
  connectors: ConnectorReport[];
  flows: FlowReport[];
  error?: string;
}

interface ConnectorsExpanded {
  [name: string]: {
    status?: { connector: { state: string }; tasks: { id: number; state: string; trace?: string }[] };
    info?: { config: Record<string, string> };
  };
}

export async function mirrorReport(name: string, url: string, monitorUrl?: string): Promise<MirrorReport> {
  try {
    const r = await getJson<ConnectorsExpanded>(
      urlJoin(url, '/connectors?expand=status&expand=info'),
      'mirror REST API',
    );
    if (r.status !== 200)
      throw new Error(`the mirror REST API at ${url} answered HTTP ${r.status} on /connectors`);
    const connectors: ConnectorReport[] = Object.entries(r.body)
      .map(([cname, c]) => {
        const config = c.info?.config ?? {};
        const flow = config['source.cluster.alias']
          ? `${config['source.cluster.alias']}->${config['target.cluster.alias']}`
          : cname.split('.')[0]!;
        return {
          name: cname,
          connectorClass: (config['connector.class'] ?? cname).split('.').pop()!,
          flow,
          state: c.status?.connector.state ?? 'UNKNOWN',
          tasks: (c.status?.tasks ?? []).map((t) => ({
            id: t.id,
            state: t.state,
            ...(t.trace ? { trace: t.trace } : {}),
          })),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    const metrics = await getText(urlJoin(url, '/metrics'), 'mirror /metrics');
    const samples = metrics.status === 200 ? parseExposition(metrics.body) : [];
    const monitor = monitorUrl ? await monitorView(monitorUrl) : undefined;
    const flowNames = [...new Set(connectors.map((c) => c.flow))].sort();
    const flows = flowNames.map((flow) => flowReport(flow, samples, monitor));
    return { name, url, connectors, flows };
  } catch (e) {
    return { name, url, connectors: [], flows: [], error: errorText(e) };
  }
}

interface MonitorView {
  replication: { source: string; target: string; lag: number; lagSeconds?: number | null }[];
  samples: Sample[];
}

async function monitorView(url: string): Promise<MonitorView> {
  const [replication, metrics] = await Promise.all([
    getJson<{ mirrors: MonitorView['replication'] }>(urlJoin(url, '/v1/replication'), 'monitor'),
    getText(urlJoin(url, '/metrics'), 'monitor /metrics'),
  ]);
  return {
    replication: replication.status === 200 ? replication.body.mirrors : [],
    samples: metrics.status === 200 ? parseExposition(metrics.body) : [],
  };
}

function flowReport(flow: string, samples: Sample[], monitor: MonitorView | undefined): FlowReport {
  const [source = '', target = ''] = flow.split('->');
  const m = { source, target };
  const rows = monitor?.replication.filter((r) => r.source === source && r.target === target) ?? [];
  const seconds = rows.map((r) => r.lagSeconds).filter((s): s is number => typeof s === 'number');
  return {
    flow,
    source,
    target,
    recordsReplicated: sum(samples, 'kafka_connect_mirror_mirrorsourceconnector_record_count', m),
    latencyMsMax: max(samples, 'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_max', m),
    latencyMsAvg: max(samples, 'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_avg', m),
    recordAgeMsMax: max(samples, 'kafka_connect_mirror_mirrorsourceconnector_record_age_ms_max', m),
    checkpointLatencyMsMax: max(
      samples,
      'kafka_connect_mirror_mirrorcheckpointconnector_checkpoint_latency_ms_max',
      m,
    ),
    heartbeatAgeSeconds:
      max(monitor?.samples ?? [], 'kgw_mirror_heartbeat_age_seconds', m) ??
      max(samples, 'kgw_mirror_heartbeat_age_seconds', m),
    lagRecords: monitor ? rows.reduce((a, r) => a + r.lag, 0) : undefined,
    lagSecondsMax: seconds.length > 0 ? Math.max(...seconds) : undefined,
    probeProduced: monitor
      ? sum(monitor.samples, 'kgw_probe_replication_messages_produced_total', m)
      : undefined,
    probeLost: monitor ? sum(monitor.samples, 'kgw_probe_replication_messages_lost_total', m) : undefined,
  };
}

/** A mirror is healthy when every connector and task runs (or was paused by an operator). */
export const mirrorHealthy = (r: MirrorReport): boolean =>
  !r.error &&
  r.connectors.length > 0 &&
  r.connectors.every(
    (c) =>
      ['RUNNING', 'PAUSED'].includes(c.state) &&
      c.tasks.every((t) => ['RUNNING', 'PAUSED'].includes(t.state)),
  );
