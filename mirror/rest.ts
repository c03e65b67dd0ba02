/**
 * Kafka Connect's REST API shape for the mirror's connectors, plus /metrics.
 *
 *   GET  /                               {version, commit, kafka_cluster_id}
 *   GET  /connectors                     ["east->west.MirrorSourceConnector", …]  (?expand=status|info)
 *   GET  /connectors/{name}              {name, config, tasks, type}
 *   GET  /connectors/{name}/status       {name, connector: {state, worker_id}, tasks: [{id, state, worker_id, trace?}], type}
 *   GET  /connectors/{name}/tasks        [{id: {connector, task}, config}]
 *   PUT  /connectors/{name}/pause        202
 *   PUT  /connectors/{name}/resume       202
 *   POST /connectors/{name}/restart      204 (Connect answers 204 without includeTasks)
 *   GET  /healthz                        200 while the process serves HTTP (liveness)
 *   GET  /readyz                         200 once every connector is started and none FAILED, else 503
 *   errors: {error_code, message} with the HTTP status as error_code, as Connect does
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Connector } from './connector.js';
import type { Mirror } from './runtime.js';

class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function connectorConfig(c: Connector): Record<string, string> {
  const f = c.flow;
  return {
    'connector.class': `org.apache.kafka.connect.mirror.${c.connectorClass}`,
    name: c.name,
    'source.cluster.alias': f.source,
    'target.cluster.alias': f.target,
    'replication.policy.class':
      f.policy === 'identity'
        ? 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy'
        : 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy',
    'replication.policy.separator': f.separator,
    topics: f.topics.source,
    'topics.exclude': f.topicsExclude.source,
    groups: f.groups.source,
    'groups.exclude': f.groupsExclude.source,
    'tasks.max': '1',
  };
}

export function restApp(mirror: Mirror): express.Express {
  const app = express();
  const find = (name: string): Connector => {
    const c = mirror.connectors.get(name);
    if (c === undefined) throw new RestError(404, `Connector ${name} not found`);
    return c;
  };
  const param = (req: Request): string => String(req.params.name);

  app.get('/', (_req, res) => {
    res.json({ version: '4.3.1-kgw', commit: 'kgw', kafka_cluster_id: null });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', mirror.metrics.registry.contentType);
    res.send(await mirror.metrics.registry.metrics());
  });
  // Container probes (docs/deploy.md). Not part of Connect's API, whose workers expose no such paths.
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => {
    const states = Object.fromEntries([...mirror.connectors].map(([name, c]) => [name, c.state]));
    const ready = Object.values(states).every((s) => s === 'RUNNING' || s === 'PAUSED');
    res.status(ready ? 200 : 503).json({ ready, connectors: states });
  });
  app.get('/connectors', (req, res) => {
    const names = [...mirror.connectors.keys()];
    const expand = ([] as unknown[]).concat(req.query.expand ?? []).map(String);
    if (expand.length === 0) {
      res.json(names);
      return;
    }
    const out: Record<string, Record<string, unknown>> = {};
    for (const [name, c] of mirror.connectors) {
      out[name] = {};
      if (expand.includes('status')) out[name].status = c.status();
      if (expand.includes('info')) out[name].info = info(c);
    }
    res.json(out);
  });
  const info = (c: Connector) => ({
    name: c.name,
    config: connectorConfig(c),
    tasks: [{ connector: c.name, task: 0 }],
    type: 'source',
  });
  app.get('/connectors/:name', (req, res) => {
    res.json(info(find(param(req))));
  });
  app.get('/connectors/:name/config', (req, res) => {
    res.json(connectorConfig(find(param(req))));
  });
  app.get('/connectors/:name/status', (req, res) => {
    res.json(find(param(req)).status());
  });
  app.get('/connectors/:name/tasks', (req, res) => {
    const c = find(param(req));
    res.json([{ id: { connector: c.name, task: 0 }, config: connectorConfig(c) }]);
  });
  app.get('/connectors/:name/tasks/:task/status', (req, res) => {
    const c = find(param(req));
    if (req.params.task !== '0') throw new RestError(404, `Task ${String(req.params.task)} not found`);
    res.json(c.status().tasks[0]);
  });
  app.put('/connectors/:name/pause', (req, res) => {
    find(param(req)).pause();
    res.status(202).end();
  });
  app.put('/connectors/:name/resume', (req, res) => {
    find(param(req)).resume();
    res.status(202).end();
  });
  app.post('/connectors/:name/restart', async (req, res) => {
    await find(param(req)).restart();
    res.status(204).end();
  });
  app.post('/connectors/:name/tasks/:task/restart', async (req, res) => {
    const c = find(param(req));
    if (req.params.task !== '0') throw new RestError(404, `Task ${String(req.params.task)} not found`);
    await c.restart();
    res.status(204).end();
  });
  app.use((_req: Request, _res: Response) => {
    throw new RestError(404, 'HTTP 404 Not Found');
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = err instanceof RestError ? err.status : 500;
    res
      .status(status)
      .json({ error_code: status, message: err instanceof Error ? err.message : String(err) });
  });
  return app;
}
