/**
 * One mirror process: the connectors of every flow (MM2's three roles, kept separate) and the HTTP
 * server for the REST API and /metrics. With kgw.workers.enabled the process is one worker of a
 * mirror cluster instead (mirror/cluster/): it runs only the units the group's leader assigns it.
 */
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createLogger } from '../observability/logger.js';
import type { MirrorConfig } from './config/config.js';
import { MirrorCheckpointConnector } from './checkpoint/checkpoint-connector.js';
import { MirrorWorker } from './cluster/worker.js';
import { Conflicts } from './conflicts/conflicts.js';
import type { Connector } from './connector.js';
import { MirrorHeartbeatConnector } from './heartbeat/heartbeat-connector.js';
import { MirrorMetrics } from './metrics.js';
import { restApp } from './rest.js';
import { MirrorSourceConnector } from './source/source-connector.js';

export class Mirror {
  readonly metrics = new MirrorMetrics();
  /** The connectors of a single process (empty in a mirror cluster: see `worker`). */
  readonly connectors = new Map<string, Connector>();
  /** Set once started when kgw.workers.enabled: this process as a member of a mirror cluster. */
  worker: MirrorWorker | undefined;
  private server: Server | undefined;
  /** The REST/metrics port actually bound. */
  port = -1;

  constructor(
    readonly config: MirrorConfig,
    readonly log: Logger = createLogger({ name: 'kgw-mirror' }),
  ) {
    if (config.workers !== undefined) return; // the leader's assignment decides what runs
    const workerId = `${hostname()}:${config.rest.port}`;
    // One for the process: a conflict is two clusters' writes, and each flow reads one cluster.
    const conflicts = new Conflicts(config.conflicts, this.metrics.registry, log);
    for (const flow of config.flows) {
      const source = config.clusters.get(flow.source)!;
      const target = config.clusters.get(flow.target)!;
      const list: Connector[] = [];
      if (flow.enabled) {
        list.push(
          new MirrorSourceConnector(flow, source, target, this.metrics, log, workerId, { conflicts }),
        );
        if (flow.emitCheckpointsIntervalMs > 0 || flow.syncGroupOffsetsIntervalMs > 0)
          list.push(new MirrorCheckpointConnector(flow, source, target, this.metrics, log, workerId));
      }
      // MM2 emits heartbeats for every pair of clusters, replicated or not, unless turned off.
      if (flow.emitHeartbeatsIntervalMs > 0)
        list.push(new MirrorHeartbeatConnector(flow, target, this.metrics, log, workerId));
      for (const c of list) this.connectors.set(c.name, c);
    }
  }

  async start(): Promise<void> {
    for (const w of this.config.warnings) this.log.warn(w);
    // kgw.rest.port = 0 picks a free port (logged); -1 turns the HTTP server off.
    if (this.config.rest.port >= 0) {
      const app = restApp(this);
      await new Promise<void>((resolve, reject) => {
        this.server = app.listen(this.config.rest.port, this.config.rest.host, (err?: Error) =>
          err ? reject(err) : resolve(),
        );
      });
      const address = this.server!.address();
      this.port = typeof address === 'object' && address !== null ? address.port : this.config.rest.port;
      this.log.info({ host: this.config.rest.host, port: this.port }, 'REST API and /metrics listening');
    }
    if (this.config.workers !== undefined) {
      this.worker = new MirrorWorker({
        config: this.config,
        workers: this.config.workers,
        identity: this.identity(),
        metrics: this.metrics,
        log: this.log,
      });
      this.worker.start();
      return;
    }
    for (const c of this.connectors.values()) c.start();
  }

  async stop(): Promise<void> {
    await this.worker?.stop();
    await Promise.all([...this.connectors.values()].map((c) => c.stop()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Connect's worker id is the REST host:port; without a REST API, host and process id. */
  private identity(): { workerId: string; url: string | null } {
    if (this.port < 0) return { workerId: `${hostname()}:pid-${process.pid}`, url: null };
    const wildcard = ['0.0.0.0', '::', ''].includes(this.config.rest.host);
    const host = wildcard ? hostname() : this.config.rest.host;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    return { workerId: `${host}:${this.port}`, url: `http://${urlHost}:${this.port}` };
  }
}
