/**
 * The monitor process: one collection loop per cluster, each cycle under a deadline; offset→time
 * tables, Burrow windows and replication lag fed from completed cycles; probes; and an HTTP server
 * with /metrics, /healthz, /readyz, Burrow's v3 API and JSON views of lag.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { compileFilter, type MonitorConfig } from './config.js';
import { ClusterCollector } from './lag/collector.js';
import { computeLag, LookupTables } from './lag/compute.js';
import { decodeHeartbeat, decodeOffsetSync } from '../mm2/formats.js';
import {
  computeReplicationLag,
  isMirrorInternalTopic,
  mirrorPolicy,
  offsetSyncsTail,
  type SyncPoint,
  targetTopicName,
  type ReplicationLag,
} from './lag/replication.js';
import { TopicTail } from './lag/topic-tail.js';
import { MonitorMetrics, type ClusterView } from './metrics.js';
import { EndToEndProbe } from './probes/end-to-end.js';
import { ReplicationProbe } from './probes/replication-probe.js';
import { burrowRouter } from './status/burrow-api.js';
import { StatusStore } from './status/store.js';
import { DeadlineExceeded, errorMessage, withDeadline } from './util.js';

export interface MonitorLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

const quiet: MonitorLogger = { info: () => undefined, warn: () => undefined };

interface ClusterState {
  readonly collector: ClusterCollector;
  readonly tables: LookupTables;
  view: ClusterView | undefined;
  running: boolean;
  lastError: string | undefined;
  timer: NodeJS.Timeout | undefined;
}

export class Monitor {
  readonly metrics = new MonitorMetrics();
  readonly store: StatusStore;
  private readonly clusters = new Map<string, ClusterState>();
  private readonly syncs = new Map<number, Map<string, SyncPoint>>();
  private readonly heartbeats = new Map<string, { source: string; target: string; timestampMs: number }>();
  /** mirror index → source topics currently mirrored */
  private readonly mirrored = new Map<number, string[]>();
  private readonly tails: TopicTail[] = [];
  private readonly probes: {
    readonly name: string;
    readonly lastError: string | undefined;
    stop(): Promise<void>;
  }[] = [];
  private server: Server | undefined;
  private readonly startedAtMs = Date.now();
  private stopped = false;
  readonly intervalMs: number;
  readonly deadlineMs: number;

  constructor(
    readonly config: MonitorConfig,
    private readonly log: MonitorLogger = quiet,
  ) {
    this.store = new StatusStore(config.status.windowSize);
    this.metrics.initClusters(config.clusters.map((c) => c.name));
    this.intervalMs = config.collection.intervalSeconds * 1000;
    this.deadlineMs = (config.collection.deadlineSeconds ?? config.collection.intervalSeconds * 0.8) * 1000;
    const groupFilter = compileFilter(config.groups);
    const topicFilter = compileFilter(config.topics);
    for (const c of config.clusters) {
      const sources = config.mirrors.map((m, i) => ({ m, i })).filter(({ m }) => m.source === c.name);
      const targets = config.mirrors.map((m, i) => ({ m, i })).filter(({ m }) => m.target === c.name);
      const wantTopics =
        sources.length + targets.length === 0
          ? undefined
          : (all: readonly string[]) => {
              const want = new Set<string>();
              for (const { m, i } of sources) {
                const f = compileFilter(m.topics);
                const policy = mirrorPolicy(m);
                const list = all.filter(
                  (t) => f(t) && !isMirrorInternalTopic(policy, t) && t !== m.probeTopic,
                );
                this.mirrored.set(i, list);
                list.forEach((t) => want.add(t));
              }
              const present = new Set(all);
              for (const { m, i } of targets) {
                for (const t of this.mirrored.get(i) ?? []) {
                  const name = targetTopicName(m, t);
                  if (present.has(name)) want.add(name);
                }
              }
              return [...want];
            };
      const collector = new ClusterCollector(c, {
        groupFilter,
        topicFilter,
        concurrency: config.collection.concurrency,
        requestTimeoutMs: Math.max(1000, this.deadlineMs),
        ...(wantTopics ? { wantTopics } : {}),
      });
      this.clusters.set(c.name, {
        collector,
        tables: new LookupTables(config.collection.lookupTablePoints),
        view: undefined,
        running: false,
        lastError: undefined,
        timer: undefined,
      });
    }
  }

  clusterNames(): string[] {
    return [...this.clusters.keys()];
  }

  view(cluster: string): ClusterView | undefined {
    return this.clusters.get(cluster)?.view;
  }

  /** One collection cycle for a cluster, under the deadline. Resolves false when it failed. */
  async cycle(cluster: string): Promise<boolean> {
    const state = this.clusters.get(cluster);
    if (!state) throw new Error(`unknown cluster ${cluster}`);
    if (state.running) {
      this.metrics.cycleFailures.inc({ cluster, reason: 'skipped' });
      return false;
    }
    state.running = true;
    const started = process.hrtime.bigint();
    const work = state.collector.collect();
    // An abandoned cycle still owns the connection until it settles; the next one waits for it.
    work.then(
      () => (state.running = false),
      () => (state.running = false),
    );
    try {
      const snapshot = await withDeadline(work, this.deadlineMs, `collection from ${cluster}`);
      state.tables.record(snapshot);
      const lags = computeLag(snapshot, state.tables);
      this.store.observe(cluster, snapshot.takenAtMs, lags, snapshot.groups);
      state.view = {
        snapshot,
        lags,
        statuses: this.store.evaluateAll(cluster),
        lastSuccessMs: Date.now(),
      };
      state.lastError = snapshot.warnings.length > 0 ? snapshot.warnings.join('; ') : undefined;
      // kafkajs keeps every topic it was asked about in its metadata set; a deleted topic would
      // then fail every later call. A fresh connection after any warning forgets them.
      if (snapshot.warnings.length > 0) await state.collector.reset();
      return true;
    } catch (err) {
      const reason = err instanceof DeadlineExceeded ? 'deadline' : 'error';
      this.metrics.cycleFailures.inc({ cluster, reason });
      state.lastError = errorMessage(err);
      this.log.warn(`cluster ${cluster}: ${state.lastError}`);
      void work.catch(() => undefined).finally(() => void state.collector.reset());
      return false;
    } finally {
      this.metrics.cycleDuration.observe({ cluster }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  replicationLag(): ReplicationLag[] {
    const rows: ReplicationLag[] = [];
    this.config.mirrors.forEach((m, i) => {
      const src = this.clusters.get(m.source);
      const dst = this.clusters.get(m.target);
      if (!src?.view || !dst?.view) return;
      rows.push(
        ...computeReplicationLag(
          m,
          this.mirrored.get(i) ?? [],
          src.view.snapshot,
          dst.view.snapshot,
          src.tables,
          this.syncs.get(i),
        ),
      );
    });
    return rows;
  }

  /** Refreshes the gauges and renders the exposition. */
  async renderMetrics(): Promise<string> {
    const clusters = new Map<string, ClusterView | undefined>();
    for (const [name, s] of this.clusters) {
      // Re-evaluate status at scrape time so STOP appears even between cycles.
      if (s.view) s.view = { ...s.view, statuses: this.store.evaluateAll(name) };
      clusters.set(name, s.view);
    }
    this.metrics.refresh({
      clusters,
      replication: this.replicationLag(),
      heartbeats: [...this.heartbeats.values()],
      startedAtMs: this.startedAtMs,
      nowMs: Date.now(),
    });
    return this.metrics.registry.metrics();
  }

  app(): express.Express {
    const app = express();
    app.get('/metrics', async (_req, res) => {
      const body = await this.renderMetrics();
      res.type(this.metrics.registry.contentType).send(body);
    });
    app.get('/healthz', (_req, res) => {
      const now = Date.now();
      res.json({
        status: 'ok',
        clusters: Object.fromEntries(
          [...this.clusters].map(([name, s]) => [
            name,
            {
              lastSuccessAgeSeconds: s.view ? (now - s.view.lastSuccessMs) / 1000 : null,
              lastError: s.lastError ?? null,
            },
          ]),
        ),
        probes: Object.fromEntries(this.probes.map((p) => [p.name, { lastError: p.lastError ?? null }])),
      });
    });
    // Ready once every cluster has completed a collection cycle; later failures keep serving the last one.
    app.get('/readyz', (_req, res) => {
      const pending = [...this.clusters].filter(([, s]) => !s.view).map(([name]) => name);
      res.status(pending.length === 0 ? 200 : 503).json({ ready: pending.length === 0, pending });
    });
    app.get('/v1/lag/:cluster', (req, res) => {
      const view = this.view(req.params.cluster);
      if (!view) return void res.status(404).json({ error: 'no completed cycle for this cluster' });
      res.json({ takenAtMs: view.snapshot.takenAtMs, groups: view.lags });
    });
    app.get('/v1/replication', (_req, res) => {
      res.json({ mirrors: this.replicationLag() });
    });
    app.use(burrowRouter(this.store, () => this.clusterNames()));
    return app;
  }

  /** Starts the loops, MM2 topic readers, probes and the HTTP server; resolves once listening. */
  async start(): Promise<AddressInfo> {
    const app = this.app();
    await new Promise<void>((resolve, reject) => {
      const server = app.listen(this.config.listen.port, this.config.listen.host, (err?: Error) =>
        err ? reject(err) : resolve(),
      );
      server.on('error', reject);
      this.server = server;
    });
    for (const name of this.clusters.keys()) this.schedule(name, 0);
    this.startMirrorTails();
    this.startProbes();
    const address = this.server!.address() as AddressInfo;
    this.log.info(`monitor listening on http://${address.address}:${address.port}`);
    return address;
  }

  private schedule(cluster: string, delayMs: number): void {
    const state = this.clusters.get(cluster)!;
    state.timer = setTimeout(() => {
      const began = Date.now();
      void this.cycle(cluster).finally(() => {
        if (!this.stopped) this.schedule(cluster, Math.max(0, this.intervalMs - (Date.now() - began)));
      });
    }, delayMs);
  }

  private startMirrorTails(): void {
    this.config.mirrors.forEach((m, i) => {
      const syncs = new Map<string, SyncPoint>();
      this.syncs.set(i, syncs);
      if (m.lagMethod === 'offset-syncs') {
        const { cluster, topic } = offsetSyncsTail(m);
        const holder = this.clusters.get(cluster)!;
        const tail = new TopicTail(holder.collector.kafka, topic, (key, value) => {
          const s = decodeOffsetSync(key, value);
          syncs.set(`${s.topic}\0${s.partition}`, {
            upstreamOffset: Number(s.upstreamOffset),
            downstreamOffset: Number(s.downstreamOffset),
          });
        });
        this.tails.push(tail);
        tail.start();
      }
    });
    // One heartbeats reader per target cluster; MM2 heartbeats are keyed by source/target alias.
    const targets = new Set(this.config.mirrors.map((m) => m.target));
    const flows = new Set(this.config.mirrors.map((m) => `${m.source}\0${m.target}`));
    for (const target of targets) {
      const tail = new TopicTail(this.clusters.get(target)!.collector.kafka, 'heartbeats', (key, value) => {
        const h = decodeHeartbeat(key, value);
        const id = `${h.sourceClusterAlias}\0${h.targetClusterAlias}`;
        if (!flows.has(id)) return;
        const prev = this.heartbeats.get(id);
        const timestampMs = Number(h.timestamp);
        if (!prev || prev.timestampMs < timestampMs)
          this.heartbeats.set(id, {
            source: h.sourceClusterAlias,
            target: h.targetClusterAlias,
            timestampMs,
          });
      });
      this.tails.push(tail);
      tail.start();
    }
  }

  private startProbes(): void {
    const p = this.config.probes;
    if (p.enabled) {
      for (const [name, s] of this.clusters) {
        const probe = new EndToEndProbe(name, s.collector.kafka, p, this.metrics.registry, this.log);
        this.probes.push(probe);
        probe.start();
      }
    }
    for (const m of this.config.mirrors) {
      if (!m.probe) continue;
      const probe = new ReplicationProbe(
        m,
        this.clusters.get(m.source)!.collector.kafka,
        this.clusters.get(m.target)!.collector.kafka,
        this.metrics.registry,
        this.log,
      );
      this.probes.push(probe);
      probe.start();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.clusters.values()) clearTimeout(s.timer);
    await Promise.all([...this.tails.map((t) => t.stop()), ...this.probes.map((p) => p.stop())]);
    await Promise.all([...this.clusters.values()].map((s) => s.collector.reset()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
