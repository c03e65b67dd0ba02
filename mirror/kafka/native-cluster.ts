/**
 * The mirror's own view of one cluster for the native data path: broker addresses and partition
 * leaders from Metadata requests, and one pipelined connection per broker (protocol/client), opened
 * with the cluster's configured security (the same TLS / SASL settings kafkaFor gives kafkajs).
 */
import {
  ConnectionError,
  KafkaClientConnection,
  type ConnectionOptions,
} from '../../protocol/client/connection.js';
import type { BrokerAddress } from '../../protocol/client/socket.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { ZERO_UUID } from '../../protocol/runtime/reader.js';
import type { ClusterConfig } from '../config/config.js';
import { tpKey } from './fetcher.js';

const SASL_MECHANISMS = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const;

/** The connection settings of a configured cluster (mirror config → protocol/client options). */
export function connectionOptions(cluster: ClusterConfig, role: string): ConnectionOptions {
  return {
    clientId: `${cluster.clientId}-${role}`,
    connectTimeoutMs: 10_000,
    // Produce asks the broker to wait up to request.timeout.ms for acks=all; the client waits a
    // little longer so the broker's own timeout answer arrives before the connection gives up.
    requestTimeoutMs: cluster.requestTimeoutMs + 5_000,
    ...(cluster.tls
      ? {
          tls: {
            ca: cluster.tls.ca,
            rejectUnauthorized: true,
            checkServerIdentity: cluster.tls.checkServerIdentity,
          },
        }
      : {}),
    ...(cluster.sasl
      ? {
          sasl: {
            mechanism: SASL_MECHANISMS[cluster.sasl.mechanism],
            username: cluster.sasl.username,
            password: cluster.sasl.password,
          },
        }
      : {}),
  };
}

export function parseAddress(hostPort: string): BrokerAddress {
  const i = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
}

export class NativeCluster {
  private readonly bootstrap: BrokerAddress[];
  private readonly nodes = new Map<number, BrokerAddress>();
  private readonly leaders = new Map<string, number>();
  private readonly connections = new Map<number, Promise<KafkaClientConnection>>();
  private bootstrapConnection: Promise<KafkaClientConnection> | undefined;
  private nextBootstrap = 0;
  private closed = false;

  constructor(
    readonly cluster: ClusterConfig,
    private readonly options: ConnectionOptions,
  ) {
    this.bootstrap = cluster.bootstrapServers.map(parseAddress);
  }

  leaderOf(topic: string, partition: number): number | undefined {
    return this.leaders.get(tpKey(topic, partition));
  }

  /** Learns brokers and the leaders of every partition of `topics` (one Metadata request). */
  async refresh(topics: Iterable<string>): Promise<void> {
    const conn = await this.connectionToAny();
    const version = conn.version(ApiKey.Metadata, 4, 12);
    const response = await conn.request(ApiKey.Metadata, version, {
      topics: [...new Set(topics)].map((name) => ({ topicId: ZERO_UUID, name })),
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    for (const b of response.brokers) {
      const known = this.nodes.get(b.nodeId);
      if (known && (known.host !== b.host || known.port !== b.port)) this.drop(b.nodeId);
      this.nodes.set(b.nodeId, { host: b.host, port: b.port });
    }
    for (const t of response.topics) {
      if (t.name === null) continue;
      for (const p of t.partitions) {
        const key = tpKey(t.name, p.partitionIndex);
        if (t.errorCode === 0 && p.errorCode === 0 && p.leaderId >= 0) this.leaders.set(key, p.leaderId);
        else this.leaders.delete(key);
      }
    }
  }

  /** The open connection to a broker, opened (again) when needed. */
  async connection(nodeId: number): Promise<KafkaClientConnection> {
    if (this.closed) throw new Error(`${this.cluster.alias}: client closed`);
    const existing = this.connections.get(nodeId);
    if (existing) {
      const conn = await existing.catch(() => undefined);
      if (conn?.isOpen) return conn;
      if (this.connections.get(nodeId) === existing) this.connections.delete(nodeId);
      return this.connection(nodeId);
    }
    const address = this.nodes.get(nodeId);
    if (address === undefined)
      throw new ConnectionError(`broker ${nodeId} is not in the metadata`, {
        host: this.cluster.alias,
        port: 0,
      });
    const opening = KafkaClientConnection.open(address, this.options);
    this.connections.set(nodeId, opening);
    opening.catch(() => {
      if (this.connections.get(nodeId) === opening) this.connections.delete(nodeId);
    });
    return opening;
  }

  /** Forgets a broker's connection (after a failure on it); the next use opens a new one. */
  drop(nodeId: number): void {
    const c = this.connections.get(nodeId);
    this.connections.delete(nodeId);
    void c?.then((conn) => conn.close()).catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    for (const id of [...this.connections.keys()]) this.drop(id);
    void this.bootstrapConnection?.then((c) => c.close()).catch(() => undefined);
    this.bootstrapConnection = undefined;
  }

  /** Any live connection: a known broker's, else a bootstrap server's (tried in turn). */
  async connectionToAny(): Promise<KafkaClientConnection> {
    for (const [, c] of this.connections) {
      const conn = await c.catch(() => undefined);
      if (conn?.isOpen) return conn;
    }
    const current = await this.bootstrapConnection?.catch(() => undefined);
    if (current?.isOpen) return current;
    if (this.closed) throw new Error(`${this.cluster.alias}: client closed`);
    let last: unknown;
    for (let i = 0; i < this.bootstrap.length; i++) {
      const address = this.bootstrap[this.nextBootstrap++ % this.bootstrap.length]!;
      try {
        this.bootstrapConnection = KafkaClientConnection.open(address, this.options);
        return await this.bootstrapConnection;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }
}
