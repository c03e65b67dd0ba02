/**
 * A client's view of one cluster: broker addresses and partition leaders from Metadata requests,
 * and one pipelined connection per broker (connection.ts), all opened with the same options (the
 * caller maps its own TLS / SASL configuration onto `ConnectionOptions`).
 */
import { ErrorCode } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { MetadataResponse } from '../protocol/generated/messages/metadata.js';
import { ZERO_UUID } from '../protocol/runtime/reader.js';
import { ConnectionError, KafkaClientConnection, type ConnectionOptions } from './connection.js';
import type { BrokerAddress } from './socket.js';

/** `topic` + `partition` as one map key. */
export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export function parseAddress(hostPort: string): BrokerAddress {
  const i = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
}

export class ClusterClient {
  private readonly bootstrap: BrokerAddress[];
  private readonly nodes = new Map<number, BrokerAddress>();
  private readonly leaders = new Map<string, number>();
  private readonly connections = new Map<number, Promise<KafkaClientConnection>>();
  private bootstrapConnection: Promise<KafkaClientConnection> | undefined;
  private nextBootstrap = 0;
  private closed = false;

  /** `name` only labels errors (e.g. a cluster alias). */
  constructor(
    readonly name: string,
    bootstrapServers: readonly string[],
    private readonly options: ConnectionOptions,
  ) {
    this.bootstrap = bootstrapServers.map(parseAddress);
  }
  /** The brokers learned from the last Metadata answer (call `refresh` first). */
  brokerIds(): number[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  leaderOf(topic: string, partition: number): number | undefined {
    return this.leaders.get(tpKey(topic, partition));
  }

  /**
   * Learns brokers and the leaders of every partition of `topics` (one Metadata request); returns
   * the topics as answered, for callers that need more of them (partitions, errors).
   */
  async refresh(topics: Iterable<string>): Promise<MetadataResponse['topics']> {
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
        if (t.errorCode === ErrorCode.NONE && p.errorCode === ErrorCode.NONE && p.leaderId >= 0)
          this.leaders.set(key, p.leaderId);
        else this.leaders.delete(key);
      }
    }
    return response.topics;
  }

  /** The open connection to a broker, opened (again) when needed. */
  async connection(nodeId: number): Promise<KafkaClientConnection> {
    if (this.closed) throw new Error(`${this.name}: client closed`);
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
        host: this.name,
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
    if (this.closed) throw new Error(`${this.name}: client closed`);
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
