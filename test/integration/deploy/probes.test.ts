/**
 * The readiness endpoints the container image's HEALTHCHECK and the Kubernetes probes use
 * (docs/deploy.md): the monitor is ready once every cluster has completed a collection cycle, the
 * mirror once every connector runs. Against the shared real clusters.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { clusterBootstrap, uniqueName } from '../../harness/index.js';
import { loadMirrorConfig } from '../../../mirror/config/config.js';
import { restApp } from '../../../mirror/rest.js';
import { Mirror } from '../../../mirror/runtime.js';
import { monitorConfigSchema } from '../../../monitor/config.js';
import { eventually, getJson, startMonitor } from '../monitor/helpers.js';

interface MonitorReady {
  ready: boolean;
  pending: string[];
}
interface MirrorReady {
  ready: boolean;
  connectors: Record<string, string>;
}

describe('readiness probes', () => {
  test('monitor: /readyz is 503 until every cluster has completed a cycle, then 200', async () => {
    const config = (clusters: { name: string; bootstrap: string }[]) =>
      monitorConfigSchema.parse({
        clusters,
        listen: { host: '127.0.0.1', port: 0 },
        collection: { intervalSeconds: 1, deadlineSeconds: 3 },
      });
    const east = { name: 'east', bootstrap: clusterBootstrap('east') };
    // Port 1 on loopback: nothing listens, so this cluster never completes a cycle.
    const { monitor: partial, url: partialUrl } = await startMonitor(
      config([east, { name: 'gone', bootstrap: '127.0.0.1:1' }]),
    );
    try {
      const seen = await eventually('east to complete a cycle', async () => {
        const r = await getJson<MonitorReady>(`${partialUrl}/readyz`);
        return r.body.pending.length === 1 ? r : undefined;
      });
      assert.equal(seen.status, 503);
      assert.deepEqual(seen.body, { ready: false, pending: ['gone'] });
      assert.equal((await getJson<unknown>(`${partialUrl}/healthz`)).status, 200);
    } finally {
      await partial.stop();
    }
    const { monitor, url } = await startMonitor(config([east]));
    try {
      const ready = await eventually('the monitor to be ready', async () => {
        const r = await getJson<MonitorReady>(`${url}/readyz`);
        return r.status === 200 ? r : undefined;
      });
      assert.deepEqual(ready.body, { ready: true, pending: [] });
    } finally {
      await monitor.stop();
    }
  });

  test('mirror: /readyz is 503 before the connectors start, 200 while they run or are paused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kgw-probes-'));
    const file = join(dir, 'mirror.yaml');
    writeFileSync(
      file,
      [
        'clusters:',
        `  east: { bootstrap.servers: '${clusterBootstrap('east')}' }`,
        `  west: { bootstrap.servers: '${clusterBootstrap('west')}' }`,
        'flows:',
        `  east->west: { enabled: true, topics: '${uniqueName('probe')}' }`,
        'replication.factor: 1',
        'offset-syncs.topic.replication.factor: 1',
        'emit.heartbeats.enabled: false',
        'emit.checkpoints.enabled: false',
        'kgw.rest.port: 0',
      ].join('\n'),
    );
    const mirror = new Mirror(loadMirrorConfig(file), pino({ level: 'silent' }));
    const before: Server = await new Promise((resolve) => {
      const s = restApp(mirror).listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(before.address() as AddressInfo).port}`;
      const r = await getJson<MirrorReady>(`${url}/readyz`);
      assert.equal(r.status, 503);
      assert.deepEqual(r.body, {
        ready: false,
        connectors: { 'east->west.MirrorSourceConnector': 'UNASSIGNED' },
      });
      assert.equal((await getJson<unknown>(`${url}/healthz`)).status, 200);
    } finally {
      await new Promise((resolve) => before.close(resolve));
    }
    await mirror.start();
    try {
      const url = `http://127.0.0.1:${mirror.port}`;
      const running = await getJson<MirrorReady>(`${url}/readyz`);
      assert.equal(running.status, 200);
      assert.deepEqual(running.body.connectors, { 'east->west.MirrorSourceConnector': 'RUNNING' });
      mirror.connectors.get('east->west.MirrorSourceConnector')!.pause();
      const paused = await getJson<MirrorReady>(`${url}/readyz`);
      assert.equal(paused.status, 200);
      assert.deepEqual(paused.body.connectors, { 'east->west.MirrorSourceConnector': 'PAUSED' });
    } finally {
      await mirror.stop();
    }
  });
});
