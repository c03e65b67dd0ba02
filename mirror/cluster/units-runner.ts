/**
 * Runs the units a worker was assigned as the connectors a single process would run (source tasks
 * get their task scope), and stops them all before the worker rejoins: the eager protocol, so a
 * source task stores its positions (Connector.stop → final commit) before anyone else may take its
 * partitions.
 */
import type { Logger } from 'pino';
import type { MirrorConfig } from '../config/config.js';
import { MirrorCheckpointConnector } from '../checkpoint/checkpoint-connector.js';
import type { Connector } from '../connector.js';
import { MirrorHeartbeatConnector } from '../heartbeat/heartbeat-connector.js';
import type { MirrorMetrics } from '../metrics.js';
import { MirrorSourceConnector } from '../source/source-connector.js';
import { transactionalId, unitKey, type WorkUnit } from './work.js';

export interface UnitsRunnerOptions {
  config: MirrorConfig;
  groupId: string;
  metrics: MirrorMetrics;
  log: Logger;
  workerId: string;
}

export class UnitsRunner {
  /** Running connectors by unit key ("<connector>/<task>"). */
  readonly running = new Map<string, Connector>();

  constructor(private readonly opts: UnitsRunnerOptions) {}

  start(units: readonly WorkUnit[]): void {
    for (const unit of units) {
      const key = unitKey(unit);
      if (this.running.has(key)) continue;
      const connector = this.connectorFor(unit);
      this.running.set(key, connector);
      connector.start();
    }
  }

  /** Stops every running unit; resolves once each stored what it must (source positions). */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((c) => c.stop()));
  }

  private connectorFor(unit: WorkUnit): Connector {
    const { config, metrics, log, workerId } = this.opts;
    const flow = config.flows.find((f) => f.name === unit.flow);
    if (flow === undefined)
      throw new Error(`assignment names flow ${unit.flow}, which this configuration lacks`);
    const source = config.clusters.get(flow.source)!;
    const target = config.clusters.get(flow.target)!;
    switch (unit.kind) {
      case 'source':
        return new MirrorSourceConnector(flow, source, target, metrics, log, workerId, {
          scope: {
            task: unit.task,
            transactionalId: transactionalId(this.opts.groupId, unit),
            partitions: unit.partitions,
          },
        });
      case 'checkpoint':
        return new MirrorCheckpointConnector(flow, source, target, metrics, log, workerId);
      case 'heartbeat':
        return new MirrorHeartbeatConnector(flow, target, metrics, log, workerId);
    }
  }
}
