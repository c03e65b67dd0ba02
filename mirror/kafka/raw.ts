/**
 * A typed window onto kafkajs' internal Cluster/Broker objects. kafkajs' public consumer only offers
 * group subscriptions; the mirror needs manual partition assignment (positions live in the target
 * cluster, not in a source group) and offset commits for groups without members (MM2's
 * alterConsumerGroupOffsets). Both are one request each on kafkajs' own Broker, so we reach for
 * them here, in one place, instead of re-implementing the client.
 */
import type { Kafka } from 'kafkajs';

export interface RawMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | Buffer[] | undefined>;
  isControlRecord?: boolean;
}

export interface RawFetchPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStartOffset?: string;
  messages: RawMessage[];
}

export interface RawFetchResponse {
  responses: { topicName: string; partitions: RawFetchPartition[] }[];
}

export interface RawBroker {
  fetch(req: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<RawFetchResponse>;
  offsetCommit(req: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: {
      topic: string;
      partitions: { partition: number; offset: string; metadata?: string | null }[];
    }[];
  }): Promise<unknown>;
}

export interface RawCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findBroker(req: { nodeId: string | number }): Promise<RawBroker>;
  findGroupCoordinator(req: { groupId: string }): Promise<RawBroker>;
}

export function rawCluster(kafka: Kafka): RawCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  if (symbol === undefined) throw new Error('kafkajs internals changed: Kafka#createCluster not found');
  const create = (kafka as unknown as Record<symbol, (o: object) => RawCluster>)[symbol]!;
  return create({ metadataMaxAge: 60_000, allowAutoTopicCreation: false, maxInFlightRequests: null });
}

export const ISOLATION_READ_UNCOMMITTED = 0;
