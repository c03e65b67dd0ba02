/**
 * Reading consumer groups from outside them, as Kafka's admin client does for listConsumerGroups and
 * listConsumerGroupOffsets: every group a cluster has with its state (ListGroups to every broker;
 * v4+ carries the state, v5 the type, classic or KIP-848 `consumer`), and one group's committed
 * offsets (OffsetFetch to its coordinator).
 *
 * The state comes from ListGroups, not DescribeGroups: DescribeGroups is the classic API and answers
 * "Dead" with no members for a KIP-848 group whose members are alive, which would make a busy group
 * look idle.
 */
import { ErrorCode, errorName } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { ClusterClient } from './cluster.js';
import { ConnectionError } from './connection.js';
import { COORDINATOR_MOVED } from './kafka-errors.js';
import { findCoordinator, GroupCommitError, type GroupOffset } from './group-offsets.js';
import { withRetries } from './retry.js';

export interface ListedGroup {
  groupId: string;
  /** Kafka's state name (Empty, Stable, PreparingRebalance, Dead, …); '' when the broker is too old to say. */
  state: string;
  /** 'classic' or 'consumer' (KIP-848); '' when the broker is too old to say. */
  type: string;
}

/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR: ask again. */
const retriable = (e: unknown): boolean =>
  e instanceof ConnectionError || (e instanceof GroupCommitError && e.retriable);

/** A group-level error answered while reading groups. */
export class GroupReadError extends Error {
  constructor(
    readonly code: number,
    what: string,
  ) {
    super(`${what}: ${errorName(code)}`);
    this.name = 'GroupReadError';
  }
}

/** Every group of the cluster, from every broker (each lists the groups it coordinates). */
export function listGroups(cluster: ClusterClient, retryForMs = 15_000): Promise<Map<string, ListedGroup>> {
  return withRetries({ retryForMs, isRetriable: retriable }, async () => {
    await cluster.refresh([]);
    const out = new Map<string, ListedGroup>();
    for (const nodeId of cluster.brokerIds()) {
      let response;
      try {
        const conn = await cluster.connection(nodeId);
        response = await conn.request(ApiKey.ListGroups, conn.version(ApiKey.ListGroups, 0, 5), {
          statesFilter: [],
          typesFilter: [],
        });
      } catch (e) {
        if (e instanceof ConnectionError) cluster.drop(nodeId);
        throw e;
      }
      if (response.errorCode !== ErrorCode.NONE)
        throw new GroupCommitError(
          response.errorCode,
          `(all, broker ${nodeId})`,
          'listing',
          COORDINATOR_MOVED.has(response.errorCode),
        );
      for (const g of response.groups)
        out.set(g.groupId, { groupId: g.groupId, state: g.groupState, type: g.groupType });
    }
    return out;
  });
}

/** The group's committed offsets for every topic (partitions without a commit left out). */
export function fetchCommittedOffsets(
  cluster: ClusterClient,
  groupId: string,
  retryForMs = 15_000,
): Promise<GroupOffset[]> {
  return withRetries({ retryForMs, isRetriable: retriable }, async () => {
    const nodeId = await findCoordinator(cluster, groupId);
    let response;
    try {
      const conn = await cluster.connection(nodeId);
      // v2–v7: one group, `topics: null` asks for every topic (v8 switches to a list of groups).
      response = await conn.request(ApiKey.OffsetFetch, conn.version(ApiKey.OffsetFetch, 2, 7), {
        groupId,
        topics: null,
        groups: [],
        requireStable: false,
      });
    } catch (e) {
      if (e instanceof ConnectionError) cluster.drop(nodeId);
      throw e;
    }
    if (response.errorCode !== ErrorCode.NONE)
      throw new GroupCommitError(
        response.errorCode,
        groupId,
        'offsets of',
        COORDINATOR_MOVED.has(response.errorCode),
      );
    const out: GroupOffset[] = [];
    for (const t of response.topics)
      for (const p of t.partitions) {
        if (p.errorCode !== ErrorCode.NONE)
          throw new GroupReadError(
            p.errorCode,
            `offset of ${t.name}-${p.partitionIndex} in group ${groupId}`,
          );
        if (p.committedOffset >= 0n)
          out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
      }
    return out;
  });
}
