/** `kgw status`: one screen of sections — clusters, gateways, mirrors, worst consumer groups. */
import type { ClusterReport } from '../support/cluster-report.js';
import type { GatewayReport } from '../support/gateway-report.js';
import type { ClusterLagReport, GroupReport } from '../support/lag-report.js';
import type { MirrorReport } from '../support/mirror-report.js';
import { formatCount } from './format.js';
import { formatTimeLag, methodNote } from './lag.js';
import { renderConnectors, renderFlows } from './mirror.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

export interface StatusReport {
  clusters: ClusterReport[];
  gateways: GatewayReport[];
  mirrors: MirrorReport[];
  lag: ClusterLagReport[];
  top: number;
}

/** Groups worst first: by time lag (unknown after known), then by records. */
export function worstGroups(
  lag: readonly ClusterLagReport[],
  top: number,
): (GroupReport & { cluster: string })[] {
  return lag
    .flatMap((r) => r.groups.map((g) => ({ ...g, cluster: r.cluster })))
    .sort(
      (a, b) =>
        (b.maxLagSeconds ?? (b.totalLag > 0 ? -1 : -2)) - (a.maxLagSeconds ?? (a.totalLag > 0 ? -1 : -2)) ||
        b.totalLag - a.totalLag,
    )
    .slice(0, top);
}

export function renderStatus(s: StatusReport, style: Style): string {
  const out: string[] = [];
  const section = (title: string, body: string): void => void out.push(style.bold(title), body, '');
  if (s.clusters.length > 0)
    section(
      'CLUSTERS',
      renderTable(
        [
          { header: 'NAME' },
          { header: 'STATE', decorate: (x) => style.status(x) },
          { header: 'BROKERS', align: 'right' },
          { header: 'CONTROLLER', align: 'right' },
          { header: 'CLUSTER-ID' },
          { header: 'SECURITY' },
          { header: 'BOOTSTRAP' },
        ],
        s.clusters.map((c) => [
          c.name,
          !c.reachable ? 'UNREACHABLE' : c.error ? 'ERR' : 'UP',
          c.brokers
            ? `${c.brokers.filter((b) => !b.fenced).length}${c.brokers.some((b) => b.fenced) ? ` (+${c.brokers.filter((b) => b.fenced).length} fenced)` : ''}`
            : '-',
          c.controllerId === undefined || c.controllerId < 0 ? '-' : String(c.controllerId),
          c.clusterId ?? '-',
          c.security,
          c.bootstrap.join(','),
        ]),
        style,
      ) + problems(s.clusters),
    );
  if (s.gateways.length > 0)
    section(
      'GATEWAYS',
      renderTable(
        [
          { header: 'NAME' },
          { header: 'READY', decorate: (x) => style.status(x) },
          { header: 'CONNECTIONS', align: 'right' },
          { header: 'FAILED-AUTH', align: 'right' },
          { header: 'ACL-DENIALS', align: 'right' },
          { header: 'URL' },
        ],
        s.gateways.map((g) => [
          g.name,
          g.error ? 'UNREACHABLE' : g.ready ? 'yes' : 'no',
          formatCount(g.connections),
          formatCount(g.failedAuthentications),
          formatCount(g.aclDenials),
          g.url,
        ]),
        style,
      ) + problems(s.gateways),
    );
  if (s.mirrors.length > 0) {
    section('MIRRORS', renderConnectors(s.mirrors, style) + problems(s.mirrors));
    section(
      'MIRROR FLOWS',
      renderFlows(
        s.mirrors.flatMap((m) => m.flows.map((f) => ({ ...f, mirror: m.name }))),
        style,
      ),
    );
  }
  if (s.lag.length > 0) {
    const worst = worstGroups(s.lag, s.top);
    section(
      `WORST CONSUMER GROUPS (top ${s.top} by time lag)`,
      (worst.length === 0
        ? 'No consumer group with committed offsets.'
        : renderTable(
            [
              { header: 'CLUSTER' },
              { header: 'GROUP' },
              { header: 'STATUS', decorate: (x) => style.status(x) },
              { header: 'STATE' },
              { header: 'MEMBERS', align: 'right' },
              { header: 'LAG', align: 'right' },
              { header: 'TIME-LAG', align: 'right' },
            ],
            worst.map((g) => [
              g.cluster,
              g.group,
              g.status ?? '-',
              g.state,
              String(g.members),
              String(g.totalLag),
              g.maxLagSecondsKind ? formatTimeLag(g.maxLagSeconds, g.maxLagSecondsKind) : '-',
            ]),
            style,
          )) +
        problems(s.lag.map((l) => ({ name: l.cluster, error: l.error }))) +
        (s.lag[0] ? `\n${style.dim(methodNote(s.lag[0].method))}` : ''),
    );
  }
  return out.join('\n').trimEnd();
}

function problems(items: readonly { name?: string; cluster?: string; error?: string | undefined }[]): string {
  const lines = items.filter((i) => i.error).map((i) => `  ${i.name ?? i.cluster}: ${i.error}`);
  return lines.length > 0 ? `\n${lines.join('\n')}` : '';
}
