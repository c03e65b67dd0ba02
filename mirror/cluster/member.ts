/**
 * One member of a Kafka group under the classic group membership protocol, with a protocol type of
 * our own (as Connect's WorkerGroupMember / WorkerCoordinator use "connect"): FindCoordinator,
 * JoinGroup (with KIP-394's MEMBER_ID_REQUIRED round trip), SyncGroup, Heartbeat, LeaveGroup, on the
 * generated codec over client/'s connections. It knows nothing of what is assigned: the caller
 * passes its metadata to join and the leader's assignments to sync.
 *
 * The connections must wait longer than rebalance.timeout.ms for an answer: the coordinator holds
 * JoinGroup until every member rejoined (or the rebalance timeout passed).
 */
import type { Logger } from 'pino';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { ClusterClient } from '../../client/cluster.js';
import { ConnectionError, type KafkaClientConnection } from '../../client/connection.js';
import { findCoordinator, GroupCommitError } from '../../client/group-offsets.js';
import { COORDINATOR_MOVED } from '../../client/kafka-errors.js';
import { withRetries } from '../../client/retry.js';
import { ErrorCode, errorName } from '../../protocol/errors.js';

const { NONE, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, MEMBER_ID_REQUIRED } = ErrorCode;

/** A group error: `retriable` ones are answered by joining again. */
export class GroupError extends Error {
  override readonly name = 'GroupError';
  constructor(
    readonly code: number,
    what: string,
    readonly retriable: boolean,
  ) {
    super(`${what}: ${errorName(code)}`);
  }
}

export interface GroupMemberOptions {
  cluster: ClusterClient;
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocolName: string;
  log: Logger;
}

export interface JoinResult {
  generation: number;
  memberId: string;
  leaderId: string;
  /** Every member's metadata (the leader only; empty for followers). */
  members: { memberId: string; metadata: Buffer }[];
}

/** What a heartbeat says the member must do next. */
export type HeartbeatOutcome = 'ok' | 'rejoin';

const retriable = (e: unknown): boolean =>
  e instanceof ConnectionError ||
  (e instanceof GroupError && e.retriable) ||
  (e instanceof GroupCommitError && e.retriable);

export class GroupMember {
  memberId = '';
  generation = -1;
  private coordinator: number | undefined;

  constructor(private readonly opts: GroupMemberOptions) {}

  /**
   * Joins (or rejoins) the group; resolves when the coordinator completed the join phase. Coordinator
   * moves, lost connections and KIP-394's member-id round trip are retried for rebalance.timeout.ms.
   */
  async join(metadata: Buffer, reason: string): Promise<JoinResult> {
    return withRetries({ retryForMs: this.opts.rebalanceTimeoutMs, isRetriable: retriable }, async () => {
      const conn = await this.connection();
      const version = conn.version(ApiKey.JoinGroup, 1, 9);
      const r = await this.call(() =>
        conn.request(ApiKey.JoinGroup, version, {
          groupId: this.opts.groupId,
          sessionTimeoutMs: this.opts.sessionTimeoutMs,
          rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: this.opts.protocolType,
          protocols: [{ name: this.opts.protocolName, metadata }],
          reason: version >= 8 ? reason : null, // KIP-800, v8+
        }),
      );
      if (r.errorCode === MEMBER_ID_REQUIRED) {
        this.memberId = r.memberId; // KIP-394: the coordinator names us, we join again with it
        throw new GroupError(r.errorCode, 'join', true);
      }
      if (r.errorCode === UNKNOWN_MEMBER_ID) this.memberId = '';
      this.checkGroupError(r.errorCode, 'join group');
      this.memberId = r.memberId;
      this.generation = r.generationId;
      return {
        generation: r.generationId,
        memberId: r.memberId,
        leaderId: r.leader,
        members: r.members.map((m) => ({ memberId: m.memberId, metadata: m.metadata })),
      };
    });
  }

  /**
   * SyncGroup: the leader sends every member's assignment, followers an empty list; each gets its
   * own back. A rebalance that started meanwhile is a GroupError (retriable): join again.
   */
  async sync(assignments: ReadonlyMap<string, Buffer>): Promise<Buffer> {
    const conn = await this.connection();
    const version = conn.version(ApiKey.SyncGroup, 1, 5);
    const r = await this.call(() =>
      conn.request(ApiKey.SyncGroup, version, {
        groupId: this.opts.groupId,
        generationId: this.generation,
        memberId: this.memberId,
        groupInstanceId: null,
        // v5+ (KIP-559) repeat the protocol type and name; older versions cannot carry them.
        protocolType: version >= 5 ? this.opts.protocolType : null,
        protocolName: version >= 5 ? this.opts.protocolName : null,
        assignments: [...assignments].map(([memberId, assignment]) => ({ memberId, assignment })),
      }),
    );
    if (r.errorCode === UNKNOWN_MEMBER_ID) this.memberId = '';
    this.checkGroupError(r.errorCode, 'sync group');
    return r.assignment;
  }

  /**
   * One heartbeat. 'rejoin' when the group is rebalancing or no longer knows this member or
   * generation; a lost connection or a moved coordinator is 'ok' for now (the next heartbeat
   * finds the coordinator again; if none succeeds within the session, the coordinator answers
   * UNKNOWN_MEMBER_ID). Any other error is thrown.
   */
  async heartbeat(): Promise<HeartbeatOutcome> {
    let r;
    try {
      const conn = await this.connection();
      const version = conn.version(ApiKey.Heartbeat, 0, 4);
      r = await this.call(() =>
        conn.request(ApiKey.Heartbeat, version, {
          groupId: this.opts.groupId,
          generationId: this.generation,
          memberId: this.memberId,
          groupInstanceId: null,
        }),
      );
    } catch (e) {
      if (retriable(e)) {
        this.opts.log.warn({ group: this.opts.groupId, err: String(e) }, 'heartbeat failed; will retry');
        return 'ok';
      }
      throw e;
    }
    if (r.errorCode === NONE) return 'ok';
    if (r.errorCode === REBALANCE_IN_PROGRESS || r.errorCode === ILLEGAL_GENERATION) return 'rejoin';
    if (r.errorCode === UNKNOWN_MEMBER_ID) {
      this.memberId = '';
      return 'rejoin';
    }
    if (COORDINATOR_MOVED.has(r.errorCode)) {
      this.coordinator = undefined;
      return 'ok';
    }
    throw new GroupError(r.errorCode, 'heartbeat', false);
  }

  /** LeaveGroup, so the others rebalance at once instead of after session.timeout.ms. Best effort. */
  async leave(reason: string): Promise<void> {
    if (this.memberId === '') return;
    try {
      const conn = await this.connection();
      const version = conn.version(ApiKey.LeaveGroup, 0, 5);
      // v0-v2 name one member at the top level, v3+ (KIP-345) a list of members.
      const r = await conn.request(ApiKey.LeaveGroup, version, {
        groupId: this.opts.groupId,
        memberId: version < 3 ? this.memberId : '',
        members: version < 3 ? [] : [{ memberId: this.memberId, groupInstanceId: null, reason }],
      });
      const code = r.errorCode !== NONE ? r.errorCode : (r.members[0]?.errorCode ?? NONE);
      if (code !== NONE)
        this.opts.log.warn({ group: this.opts.groupId, error: errorName(code) }, 'leave group refused');
      else this.opts.log.info({ group: this.opts.groupId }, 'left the group');
    } catch (e) {
      this.opts.log.warn({ group: this.opts.groupId, err: String(e) }, 'leave group failed');
    }
    this.memberId = '';
    this.generation = -1;
  }

  private async connection(): Promise<KafkaClientConnection> {
    if (this.coordinator === undefined) {
      this.coordinator = await findCoordinator(this.opts.cluster, this.opts.groupId);
      // The coordinator may be a broker this client has not seen in Metadata yet.
      await this.opts.cluster.refresh([]).catch(() => undefined);
    }
    return this.opts.cluster.connection(this.coordinator);
  }

  /** Runs a request on the coordinator's connection; a lost connection forgets the coordinator. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (e) {
      if (e instanceof ConnectionError) {
        if (this.coordinator !== undefined) this.opts.cluster.drop(this.coordinator);
        this.coordinator = undefined;
      }
      throw e;
    }
  }

  private checkGroupError(code: number, what: string): void {
    if (code === NONE) return;
    if (COORDINATOR_MOVED.has(code)) this.coordinator = undefined;
    const again =
      COORDINATOR_MOVED.has(code) ||
      code === REBALANCE_IN_PROGRESS ||
      code === UNKNOWN_MEMBER_ID ||
      code === ILLEGAL_GENERATION;
    throw new GroupError(code, `${what} ${this.opts.groupId}`, again);
  }
}
