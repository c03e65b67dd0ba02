/** A gateway's health for `kgw status`: /readyz, and from /metrics its connections and refusals. */
import { errorText } from './errors.js';
import { getJson, getText, urlJoin } from './http.js';
import { parseExposition, sum } from './prometheus-text.js';

export interface GatewayReport {
  name: string;
  url: string;
  ready: boolean;
  connections?: number;
  failedAuthentications?: number;
  aclDenials?: number;
  error?: string;
}

export async function gatewayReport(name: string, url: string): Promise<GatewayReport> {
  try {
    const ready = await getJson<{ ready?: boolean }>(urlJoin(url, '/readyz'), 'gateway');
    const metrics = await getText(urlJoin(url, '/metrics'), 'gateway /metrics');
    const samples = metrics.status === 200 ? parseExposition(metrics.body) : [];
    const found = <T extends string>(key: T, v: number | undefined): Partial<Record<T, number>> =>
      v === undefined ? {} : ({ [key]: v } as Record<T, number>);
    return {
      name,
      url,
      ready: ready.status === 200 && ready.body.ready === true,
      ...found('connections', sum(samples, 'kafka_server_socketservermetrics_connection_count')),
      ...found(
        'failedAuthentications',
        sum(samples, 'kafka_server_socketservermetrics_failed_authentication_total'),
      ),
      ...found('aclDenials', sum(samples, 'kgw_gateway_acl_denials_total')),
    };
  } catch (e) {
    return { name, url, ready: false, error: errorText(e) };
  }
}
