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
 *   GET  /workers                        kgw's addition in a mirror cluster: group, leader, generation,
 *                                        last rebalance, each worker's tasks (Connect has no such path)
 *   errors: {error_code, message} with the HTTP status as error_code, as Connect does
 *
 * In a mirror cluster (kgw.workers.enabled) every worker answers for every connector from the last
 * assignment it received (mirror/cluster/rest-view.ts); pause and resume are refused there (they
 * would need Connect's shared config topic), restart acts on tasks running on the worker asked.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Connector, ConnectorClass } from './connector.js';
import type { FlowConfig } from './config/config.js';
import {
  clusterConnectors,
  clusterStatus,
  FORWARDED_HEADER,
  localTaskStatus,
  placedTasks,
  taskConfigExtras,
  workersView,
  type ConnectorRef,
} from './cluster/rest-view.js';
import { CONNECTOR_CLASS, taskIndex, unitKey } from './cluster/work.js';
import type { MirrorWorker } from './cluster/worker.js';
import type { Mirror } from './runtime.js';

class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function connectorConfig(
  c: { name: string; flow: FlowConfig; connectorClass: ConnectorClass },
  tasksMax = 1,
): Record<string, string> {
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
    'tasks.max': String(tasksMax),
  };
}

export function restApp(mirror: Mirror): express.Express {
  const app = express();
  if (mirror.config.workers !== undefined) return workerRoutes(app, mirror);
  const find = (name: string): Connector => {
    const c = mirror.connectors.get(name);
    if (c === undefined) throw new RestError(404, `Connector ${name} not found`);
    return c;
  };
  const param = (req: Request): string => String(req.params.name);

  commonRoutes(app, mirror);
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
  return finish(app);
}

function commonRoutes(app: express.Express, mirror: Mirror): void {
  app.get('/', (_req, res) => {
    res.json({ version: '4.3.1-kgw', commit: 'kgw', kafka_cluster_id: null });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', mirror.metrics.registry.contentType);
    res.send(await mirror.metrics.registry.metrics());
  });
  // Container probes (docs/deploy.md). Not part of Connect's API, whose workers expose no such paths.
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
}

/** The same paths in a mirror cluster, answered from the worker's last assignment. */
function workerRoutes(app: express.Express, mirror: Mirror): express.Express {
  commonRoutes(app, mirror);
  const refs = clusterConnectors(mirror.config);
  const worker = (): MirrorWorker => {
    if (mirror.worker === undefined) throw new RestError(503, 'the worker has not started');
    return mirror.worker;
  };
  const find = (req: Request): ConnectorRef => {
    const name = String(req.params.name);
    const ref = refs.find((r) => r.name === name);
    if (ref === undefined) throw new RestError(404, `Connector ${name} not found`);
    return ref;
  };
  const config = (ref: ConnectorRef): Record<string, string> => {
    const flow = mirror.config.flows.find((f) => f.name === ref.flow)!;
    const c = { name: ref.name, flow, connectorClass: CONNECTOR_CLASS[ref.kind] };
    return connectorConfig(c, ref.kind === 'source' ? flow.tasksMax : 1);
  };
  const taskIds = (ref: ConnectorRef) =>
    placedTasks(worker(), ref.name).map((p) => ({ connector: ref.name, task: taskIndex(p.unit) }));
  const info = (ref: ConnectorRef) => ({
    name: ref.name,
    config: config(ref),
    tasks: taskIds(ref),
    type: 'source',
  });
  app.get('/readyz', (_req, res) => {
    const w = mirror.worker;
    const states = Object.fromEntries([...(w?.runner.running ?? [])].map(([key, c]) => [key, c.state]));
    const assigned = w?.assignment !== undefined && w.assignment.error === 'none';
    const ready = assigned && Object.values(states).every((s) => s === 'RUNNING' || s === 'PAUSED');
    res.status(ready ? 200 : 503).json({ ready, tasks: states });
  });
  app.get('/workers', (_req, res) => void res.json(workersView(worker())));
  app.get('/connectors', async (req, res) => {
    const expand = ([] as unknown[]).concat(req.query.expand ?? []).map(String);
    if (expand.length === 0) {
      res.json(refs.map((r) => r.name));
      return;
    }
    const out: Record<string, Record<string, unknown>> = {};
    for (const ref of refs) {
      out[ref.name] = {};
      if (expand.includes('status')) out[ref.name]!.status = await clusterStatus(worker(), ref);
      if (expand.includes('info')) out[ref.name]!.info = info(ref);
    }
    res.json(out);
  });
  app.get('/connectors/:name', (req, res) => void res.json(info(find(req))));
  app.get('/connectors/:name/config', (req, res) => void res.json(config(find(req))));
  app.get('/connectors/:name/status', async (req, res) => {
    res.json(await clusterStatus(worker(), find(req)));
  });
  app.get('/connectors/:name/tasks', (req, res) => {
    const ref = find(req);
    res.json(
      placedTasks(worker(), ref.name).map((p) => ({
        id: { connector: ref.name, task: taskIndex(p.unit) },
        config: { ...config(ref), ...taskConfigExtras(p.unit) },
      })),
    );
  });
  app.get('/connectors/:name/tasks/:task/status', async (req, res) => {
    const ref = find(req);
    const id = Number(req.params.task);
    const local = localTaskStatus(worker(), ref.name, id);
    if (local !== undefined) {
      res.json(local);
      return;
    }
    if (req.get(FORWARDED_HEADER) !== undefined)
      throw new RestError(404, `Task ${id} does not run on this worker`);
    const status = await clusterStatus(worker(), ref);
    const task = status.tasks.find((t) => t.id === id);
    if (task === undefined) throw new RestError(404, `Task ${String(req.params.task)} not found`);
    res.json(task);
  });
  const refuse = (): never => {
    throw new RestError(409, 'pause and resume are not supported in a mirror cluster (kgw.workers.enabled)');
  };
  app.put('/connectors/:name/pause', refuse);
  app.put('/connectors/:name/resume', refuse);
  const restartLocal = async (ref: ConnectorRef, task?: number): Promise<void> => {
    const placed = placedTasks(worker(), ref.name).filter(
      (p) => task === undefined || taskIndex(p.unit) === task,
    );
    if (placed.length === 0) throw new RestError(404, `Connector ${ref.name} has no such task`);
    const here = placed.filter((p) => worker().runner.running.has(unitKey(p.unit)));
    if (here.length === 0)
      throw new RestError(
        409,
        `the task runs on worker ${placed[0]!.workerId}: ask that worker to restart it`,
      );
    for (const p of here) await worker().runner.running.get(unitKey(p.unit))!.restart();
  };
  app.post('/connectors/:name/restart', async (req, res) => {
    await restartLocal(find(req));
    res.status(204).end();
  });
  app.post('/connectors/:name/tasks/:task/restart', async (req, res) => {
    await restartLocal(find(req), Number(req.params.task));
    res.status(204).end();
  });
  return finish(app);
}

function finish(app: express.Express): express.Express {
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
