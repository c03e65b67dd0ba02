/**
 * The fetch sessions (KIP-227) one client connection holds on its broker, as the gateway sees
 * them. The broker keys a session by a 31-bit id alone and serves it to whoever names it, and it
 * serves the partitions it holds to the gateway's upstream principal, which may read everything.
 * So the gateway keeps, per connection:
 *
 * - which session ids the broker issued to this connection: any other id is answered as Kafka
 *   answers an id that does not exist (FETCH_SESSION_ID_NOT_FOUND, or a sessionless fetch for a
 *   full request), so ids of other clients can neither be used nor told apart from unknown ones;
 * - every partition of each session with the fetch data the client last sent for it (Kafka's
 *   FetchSession.CachedPartition), and which of them the broker's copy holds: every fetch
 *   re-authorizes every partition of the session, as KafkaApis.handleFetchRequest does, removes
 *   the ones no longer allowed from the broker's copy (and answers them TOPIC_AUTHORIZATION_FAILED
 *   on every fetch, as Kafka does) and gives them back once allowed again.
 *
 * Memory is bounded: at most MAX_SESSIONS sessions per connection (the Java client uses one), the
 * oldest forgotten first, and a session's partitions are those the client named.
 */
import type { FetchRequestFetchPartition } from '../../protocol/index.js';

/** A partition of a session: the topic as the client names it (name, or id from v13) and its data. */
export interface SessionPartition {
  readonly topicKey: string;
  data: FetchRequestFetchPartition;
  /** The broker's copy of the session holds it (it was allowed when last sent). */
  onBroker: boolean;
  /** The client changed its data while the broker was not told (answered by the gateway). */
  resend?: boolean;
}

export const MAX_SESSIONS = 16;

const partitionKey = (topicKey: string, partition: number): string => `${topicKey}\u0000${partition}`;

export class FetchSessionState {
  /** Insertion order is Kafka's session order (LinkedHashMap in FetchSession). */
  readonly partitions = new Map<string, SessionPartition>();
  /**
   * Incremental fetches the gateway answered itself (every partition denied): the client's epoch
   * moved on, the broker's did not, so forwarded epochs are this much lower.
   */
  answeredHere = 0;

  set(topicKey: string, data: FetchRequestFetchPartition, onBroker: boolean): void {
    const key = partitionKey(topicKey, data.partition);
    const existing = this.partitions.get(key);
    if (existing) {
      existing.data = data;
      existing.onBroker = onBroker;
    } else this.partitions.set(key, { topicKey, data, onBroker });
  }

  get(topicKey: string, partition: number): SessionPartition | undefined {
    return this.partitions.get(partitionKey(topicKey, partition));
  }

  forget(topicKey: string, partition: number): SessionPartition | undefined {
    const key = partitionKey(topicKey, partition);
    const p = this.partitions.get(key);
    this.partitions.delete(key);
    return p;
  }

  topicKeys(): Set<string> {
    return new Set([...this.partitions.values()].map((p) => p.topicKey));
  }
}

/** The sessions of one client connection. */
export class FetchSessions {
  private readonly sessions = new Map<number, FetchSessionState>();

  owns(sessionId: number): boolean {
    return this.sessions.has(sessionId);
  }

  get(sessionId: number): FetchSessionState | undefined {
    return this.sessions.get(sessionId);
  }

  /** A session the broker just created for this connection. */
  created(sessionId: number, state: FetchSessionState): void {
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, state);
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
  }

  /** The session is closed (a full fetch naming it) or the broker no longer has it. */
  closed(sessionId: number): void {
    this.sessions.delete(sessionId);
  }
}

/** One tracker per client connection, dropped with it. */
const byConnection = new WeakMap<object, FetchSessions>();

export function fetchSessionsOf(connection: object): FetchSessions {
  let s = byConnection.get(connection);
  if (!s) byConnection.set(connection, (s = new FetchSessions()));
  return s;
}
