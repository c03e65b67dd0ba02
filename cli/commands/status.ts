/**
 * `kgw status`: one screen for the on-call engineer — clusters (reachable, brokers, controller),
 * gateways (/readyz, connections, refusals), mirrors (connectors, flows, latency, replication lag),
 * and the consumer groups worst by time lag with Burrow's status. Inputs come from the context file
 * (docs/cli.md#context) or flags. Exit 1 when something is down or unreachable.
 */
import type { Command } from 'commander';
import { clusterReport } from '../support/cluster-report.js';
import { contextFile, loadContext, type KgwContext } from '../support/context.js';
import { CommandFailed, UsageError } from '../support/errors.js';
import { gatewayReport } from '../support/gateway-report.js';
import { lagFromMonitor, monitorClusters, sampleLag, type ClusterLagReport } from '../support/lag-report.js';
import { mirrorHealthy, mirrorReport } from '../support/mirror-report.js';
import {
  addConnectionOptions,
  resolveTargets,
  type ClusterTarget,
  type ConnectionFlags,
} from '../support/targets.js';
import { parseDuration } from '../render/format.js';
import { createOutput } from '../render/output.js';
import { renderStatus, worstGroups, type StatusReport } from '../render/status.js';

interface Flags extends ConnectionFlags {
  gateway?: string[];
  mirror?: string[];
  monitor?: string;
  top: string;
  interval: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerStatusCommand(program: Command): void {
  const cmd = program
    .command('status')
    .description('one screen: clusters, gateways, mirror flows, the consumer groups worst by time lag')
    .option('--gateway <url>', "a gateway's HTTP address, e.g. http://127.0.0.1:9404 (repeatable)", collect)
    .option('--mirror <url>', "a mirror's REST address, e.g. http://127.0.0.1:8083 (repeatable)", collect)
    .option('--monitor <url>', 'a running monitor: time lag and Burrow status from its history')
    .option('--top <n>', 'consumer groups to show', '5')
    .option('--interval <duration>', 'without a monitor: time between the two lag samples', '3s')
    .option('--json', 'one JSON document instead of the screen');
  addConnectionOptions(cmd, { monitorConfig: true }).action(async (flags: Flags) => status(flags));
}

async function status(flags: Flags): Promise<void> {
  const out = createOutput(flags);
  const top = Number(flags.top);
  if (!Number.isInteger(top) || top < 0)
    throw new UsageError(`--top must be a whole number, got "${flags.top}"`);
  const intervalMs = parseDuration(flags.interval);
  if (intervalMs === undefined || intervalMs < 100)
    throw new UsageError(`--interval: not a duration: "${flags.interval}"`);

  // Clusters from flags, --config or the context; gateways, mirrors and monitor from flags or the context.
  const clusterFlagsGiven =
    flags.bootstrapServer !== undefined || flags.commandConfig !== undefined || flags.config !== undefined;
  const file = contextFile(flags.context);
  const context: KgwContext | undefined = file ? loadContext(file) : undefined;
  let targets: ClusterTarget[] = [];
  if (clusterFlagsGiven || context) targets = resolveTargets(flags).targets;
  const gateways =
    flags.gateway?.map((url, i) => ({ name: `gateway-${i + 1}`, url })) ?? context?.gateways ?? [];
  const mirrors = flags.mirror?.map((url, i) => ({ name: `mirror-${i + 1}`, url })) ?? context?.mirrors ?? [];
  const monitor = flags.monitor ?? context?.monitor;
  if (targets.length + gateways.length + mirrors.length === 0)
    throw new UsageError(
      'nothing to show: write a context file (kgw.yaml, docs/cli.md#context) or give --bootstrap-server / --config, --gateway, --mirror',
    );

  out.progress(
    `asking ${targets.length} cluster(s), ${gateways.length} gateway(s), ${mirrors.length} mirror(s)`,
  );
  const [clusters, gatewayReports, mirrorReports] = await Promise.all([
    Promise.all(targets.map((t) => clusterReport(t))),
    Promise.all(gateways.map((g) => gatewayReport(g.name, g.url))),
    Promise.all(mirrors.map((m) => mirrorReport(m.name, m.url, monitor))),
  ]);
  let lag: ClusterLagReport[] = [];
  const all = { groupFilter: (g: string) => !g.startsWith('kgw-monitor-'), topicFilter: () => true };
  if (top > 0) {
    if (monitor !== undefined) {
      // Only the clusters the monitor watches (a gateway in front of one of them is the same cluster).
      const watched = new Set(await monitorClusters(monitor).catch(() => [] as string[]));
      lag = await Promise.all(
        targets.filter((t) => watched.has(t.name)).map((t) => lagFromMonitor(monitor, t.name, all)),
      );
    } else
      lag = await Promise.all(
        targets
          .filter((t) => clusters.find((c) => c.name === t.name)?.reachable)
          .map((t) => sampleLag(t, all, { samples: 2, intervalMs, progress: (s) => out.progress(s) })),
      );
  }
  out.progressDone();
  const report: StatusReport = { clusters, gateways: gatewayReports, mirrors: mirrorReports, lag, top };
  if (out.json) out.printJson({ ...report, lag: undefined, worstGroups: worstGroups(lag, top) });
  else out.print(renderStatus(report, out.style));

  const down = [
    ...clusters.filter((c) => !c.reachable || c.error).map((c) => `cluster ${c.name}`),
    ...gatewayReports.filter((g) => !g.ready).map((g) => `gateway ${g.name}`),
    ...mirrorReports.filter((m) => !mirrorHealthy(m)).map((m) => `mirror ${m.name}`),
  ];
  if (down.length > 0) throw new CommandFailed(`not healthy: ${down.join(', ')}`);
}
