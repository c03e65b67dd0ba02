/** /metrics (Prometheus), /healthz (the process is alive) and /readyz (it can serve clients). */
import express from 'express';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';

export function startHttp(
  bind: string,
  port: number,
  registry: Registry,
  ready: () => boolean,
): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', registry.contentType);
    res.end(await registry.metrics());
  });
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => void res.status(ready() ? 200 : 503).json({ ready: ready() }));
  return new Promise((resolve, reject) => {
    const server = app.listen(port, bind, () => resolve(server));
    server.once('error', reject);
  });
}
