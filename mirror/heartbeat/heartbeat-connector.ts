/**
 * MirrorHeartbeatConnector: every emit.heartbeats.interval.seconds writes Heartbeat(source, target,
 * now) to the target cluster's `heartbeats` topic (one partition, compacted), as MM2's
 * MirrorHeartbeatTask does. The source connector of the opposite flow replicates that topic as
 * `<alias>.heartbeats`, which MirrorClient / RemoteClusterUtils use to discover upstream clusters.
 */
import type { Admin, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { ClusterConfig, FlowConfig } from '../config/config.js';
import { Connector } from '../connector.js';
import { encodeHeartbeat } from '../../mm2/formats.js';
import { kafkaFor } from '../kafka/clients.js';
import type { MirrorMetrics } from '../metrics.js';
import { HEARTBEATS_TOPIC } from '../../mm2/replication-policy.js';
import { ensureCompactedTopic } from '../source/topics.js';

export class MirrorHeartbeatConnector extends Connector {
  private admin?: Admin;
  private producer?: Producer;

  constructor(
    flow: FlowConfig,
    private readonly targetCluster: ClusterConfig,
    private readonly metrics: MirrorMetrics,
    log: Logger,
    workerId: string,
  ) {
    super('MirrorHeartbeatConnector', flow, log, workerId);
  }

  protected async run(): Promise<void> {
    const kafka = kafkaFor(this.targetCluster, `${this.flow.name}-heartbeat`, this.log);
    this.admin = kafka.admin();
    await this.admin.connect();
    await ensureCompactedTopic(this.admin, HEARTBEATS_TOPIC, this.flow.heartbeatsTopicReplicationFactor);
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    while (await this.pausePoint()) {
      const now = Date.now();
      await this.producer.send({
        topic: HEARTBEATS_TOPIC,
        acks: -1,
        messages: [
          {
            partition: 0,
            timestamp: String(now),
            ...encodeHeartbeat({
              sourceClusterAlias: this.flow.source,
              targetClusterAlias: this.flow.target,
              timestamp: BigInt(now),
            }),
          },
        ],
      });
      this.metrics.heartbeatWritten(this.flow.source, this.flow.target, now);
      await this.interruptibleSleep(this.flow.emitHeartbeatsIntervalMs);
    }
  }

  protected async cleanup(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
