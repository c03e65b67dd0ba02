/** Shared by the monitor's integration tests: a monitor on the shared clusters, and HTTP helpers. */
import { Kafka, logLevel } from 'kafkajs';
import { clusterBootstrap } from '../../harness/index.js';
import { monitorConfigSchema, type MonitorConfig } from '../../../monitor/config.js';
import { Monitor } from '../../../monitor/monitor.js';

export function kafkaFor(cluster: 'east' | 'west'): Kafka {
  return new Kafka({
    clientId: 'monitor-test',
    brokers: clusterBootstrap(cluster).split(','),
    logLevel: logLevel.NOTHING,
  });
}

/** A monitor config for the shared clusters; `extra` is merged over the defaults (listen on a free port). */
export function testConfig(
  extra: Record<string, unknown> = {},
  clusters: ('east' | 'west')[] = ['east'],
): MonitorConfig {
  return monitorConfigSchema.parse({
    clusters: clusters.map((name) => ({ name, bootstrap: clusterBootstrap(name) })),
    listen: { host: '127.0.0.1', port: 0 },
    collection: { intervalSeconds: 1, deadlineSeconds: 5 },
    ...extra,
  });
}

export async function startMonitor(config: MonitorConfig): Promise<{ monitor: Monitor; url: string }> {
  const monitor = new Monitor(config);
  const address = await monitor.start();
  return { monitor, url: `http://127.0.0.1:${address.port}` };
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

/** Value of one series in a Prometheus text exposition, or undefined. */
export function sample(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.lastIndexOf('}'));
    const ok = Object.entries(labels).every(([k, v]) => inner.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { eventually } from '../../harness/eventually.js';
