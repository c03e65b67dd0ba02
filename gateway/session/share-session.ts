/**
 * The share sessions (KIP-932) one client connection holds on its broker, as the gateway sees
 * them: the same class of state as fetch sessions (fetch-session.ts). The broker keys a share
 * session by group and member id and fetches every partition it holds for whoever names it, as
 * the gateway's upstream principal. So the gateway keeps, per connection:
 *
 * - which (group, member) sessions this connection opened (epoch 0): an incremental or final
 *   request naming another is answered as Kafka answers a session it does not have
 *   (SHARE_SESSION_NOT_FOUND), so sessions of other clients can neither be used nor probed;
 * - every partition of each session and whether the broker's copy holds it, so that every
 *   partition is re-authorized on every ShareFetch (as Kafka's KafkaApis authorizes the session's
 *   partitions, not only the request's), denied ones leave the broker's copy, and ones allowed
 *   again go back;
 * - how many requests the gateway answered itself (every partition denied): the client's epoch
 *   moved on, the broker's did not.
 *
 * Memory is bounded: at most MAX_SHARE_SESSIONS per connection, the oldest forgotten first.
 */
export interface SharePartition {
  readonly topicId: string;
  readonly partition: number;
  /** The broker's copy of the session holds it (it was allowed when last sent). */
  onBroker: boolean;
}

export const MAX_SHARE_SESSIONS = 16;

export class ShareSessionState {
  readonly partitions = new Map<string, SharePartition>();
  answeredHere = 0;
  /** The group's record lock duration the broker last told (repeated in answers given here). */
  acquisitionLockTimeoutMs = 0;

  add(topicId: string, partition: number): SharePartition {
    const key = `${topicId}\u0000${partition}`;
    let p = this.partitions.get(key);
    if (!p) this.partitions.set(key, (p = { topicId, partition, onBroker: false }));
    return p;
  }

  forget(topicId: string, partition: number): SharePartition | undefined {
    const key = `${topicId}\u0000${partition}`;
    const p = this.partitions.get(key);
    this.partitions.delete(key);
    return p;
  }

  /** The epoch the broker expects for the client's: Kafka's epochs wrap from Int.MaxValue to 1. */
  brokerEpoch(clientEpoch: number): number {
    if (clientEpoch <= 0) return clientEpoch;
    const e = clientEpoch - this.answeredHere;
    return e >= 1 ? e : e + 0x7fffffff;
  }
}

export class ShareSessions {
  private readonly sessions = new Map<string, ShareSessionState>();

  static key(groupId: string, memberId: string): string {
    return `${groupId}\u0000${memberId}`;
  }

  get(key: string): ShareSessionState | undefined {
    return this.sessions.get(key);
  }

  opened(key: string, state: ShareSessionState): void {
    this.sessions.delete(key);
    this.sessions.set(key, state);
    while (this.sessions.size > MAX_SHARE_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
  }

  closed(key: string): void {
    this.sessions.delete(key);
  }
}

const byConnection = new WeakMap<object, ShareSessions>();

export function shareSessionsOf(connection: object): ShareSessions {
  let s = byConnection.get(connection);
  if (!s) byConnection.set(connection, (s = new ShareSessions()));
  return s;
}
