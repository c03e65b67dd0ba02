/** What one collection cycle reads from a cluster, and the lag computed from it. */
import type { TimeLagKind } from './lookup-table.js';

export interface PartitionOffsets {
  readonly partition: number;
  /** Log start offset (ListOffsets earliest). */
  readonly earliest: number;
  /** Log end offset as a read_committed consumer sees it (ListOffsets latest; kafkajs reads the LSO). */
  readonly latest: number;
}

export interface GroupOffsets {
  readonly group: string;
  /** `consumer` for classic and KIP-848 consumer groups, '' for "simple" groups that only commit. */
  readonly protocolType: string;
  /** Group state as DescribeGroups reports it (Stable, Empty, ...), or 'Unknown' when it could not say. */
  readonly state: string;
  readonly members: number;
  /** Committed offsets, topic → partition → offset (partitions without a commit are left out). */
  readonly offsets: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /**
   * Which live member owns each partition, from DescribeGroups' member assignments (classic
   * protocol). Undefined when the assignment could not be decoded; then every partition of a group
   * with members counts as owned.
   */
  readonly owners?: ReadonlyMap<string, ReadonlyMap<number, PartitionOwner>>;
}

export interface PartitionOwner {
  readonly host: string;
  readonly clientId: string;
}

export interface ClusterSnapshot {
  readonly cluster: string;
  /** When the log end offsets were read (ms since epoch); the time every lag in it refers to. */
  readonly takenAtMs: number;
  /** Log offsets of every topic some selected group commits to (and of mirrored topics). */
  readonly topics: ReadonlyMap<string, readonly PartitionOffsets[]>;
  readonly groups: readonly GroupOffsets[];
  /** Every topic of the cluster, when the cycle listed them (only with mirrors configured). */
  readonly allTopics?: readonly string[];
  /** Non-fatal problems of this cycle (a group or topic that could not be read). */
  readonly warnings: readonly string[];
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly committed: number;
  readonly latest: number;
  readonly lag: number;
  readonly lagSeconds: number | undefined;
  readonly lagSecondsKind: TimeLagKind;
}

export interface GroupLag {
  readonly cluster: string;
  readonly group: string;
  readonly simple: boolean;
  readonly state: string;
  readonly members: number;
  readonly partitions: readonly PartitionLag[];
  readonly totalLag: number;
  readonly maxLag: number;
  /** Highest known partition time lag; undefined when no partition's time lag is known. */
  readonly maxLagSeconds: number | undefined;
}
