/**
 * Topic id → name for requests that name topics by id (Fetch v13+, Produce v13+, OffsetCommit
 * v10+, Metadata/DeleteTopics by id). The cluster view learns ids from every Metadata response
 * that passes through; an id it has not seen is looked up with one all-topics Metadata request of
 * the gateway's own, at most once per second, before the topic is treated as UNKNOWN_TOPIC_ID.
 */
import {
  ApiKey,
  ZERO_UUID,
  decodeResponse,
  decodeResponseHeader,
  defaultMetadataRequest,
  encodeRequestFrame,
} from '../../protocol/index.js';
import type { ClusterView } from '../upstream/cluster-view.js';

const METADATA_VERSION = 12;
const MIN_REFRESH_INTERVAL_MS = 1000;

export class TopicIds {
  private inFlight: Promise<void> | undefined;
  private lastRefresh = 0;

  constructor(private readonly cluster: ClusterView) {}

  /** The name of an id the gateway has already seen (no lookup). */
  known(id: string): string | undefined {
    return this.cluster.topicName(id);
  }

  /** The names of these ids; undefined for ids that still are unknown after one refresh. */
  async resolve(ids: Iterable<string>): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    let missing = false;
    for (const id of ids) {
      if (id === ZERO_UUID) continue;
      const name = this.cluster.topicName(id);
      out.set(id, name);
      if (name === undefined) missing = true;
    }
    if (!missing) return out;
    await this.refresh().catch(() => undefined);
    for (const id of out.keys()) out.set(id, this.cluster.topicName(id));
    return out;
  }

  /**
   * The names of ids about to be refused for authorization, checked against the cluster now (one
   * refresh, at most once per second): Kafka answers an id that no longer exists UNKNOWN_TOPIC_ID
   * before it authorizes, and the gateway's cache still names deleted topics until it refreshes.
   */
  async confirm(ids: Iterable<string>): Promise<Map<string, string | undefined>> {
    await this.refresh().catch(() => undefined);
    return new Map([...ids].map((id) => [id, this.cluster.topicName(id)]));
  }

  private refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const wait = this.lastRefresh + MIN_REFRESH_INTERVAL_MS - Date.now();
    if (wait > 0) return Promise.resolve();
    this.lastRefresh = Date.now();
    this.inFlight = this.fetchAllTopics()
      .then(() => undefined)
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /**
   * Every topic name the cluster has now (one Metadata request of the gateway's own), for listings
   * the gateway must build from the authorized topics only (DescribeTopicPartitions' cursor).
   */
  async allNames(): Promise<string[]> {
    return (await this.fetchAllTopics()).map((t) => t.name);
  }

  /** The ids of these topics now (one Metadata request of the gateway's own); absent if none. */
  async idsOf(names: Iterable<string>): Promise<Map<string, string>> {
    const wanted = new Set(names);
    const out = new Map<string, string>();
    for (const t of await this.fetchAllTopics()) if (wanted.has(t.name)) out.set(t.name, t.topicId);
    return out;
  }

  private async fetchAllTopics(): Promise<{ name: string; topicId: string }[]> {
    const conn = await this.cluster.connect('bootstrap');
    try {
      const frame = await new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('metadata refresh timed out')), 10_000);
        conn.once('frame', (f: Buffer) => {
          clearTimeout(timer);
          resolve(f);
        });
        conn.once('close', (e?: Error) => {
          clearTimeout(timer);
          reject(e ?? new Error('closed before answering metadata'));
        });
        conn.send(
          [
            encodeRequestFrame(
              {
                apiKey: ApiKey.Metadata,
                apiVersion: METADATA_VERSION,
                correlationId: 1,
                clientId: 'kgw-gateway',
              },
              { ...defaultMetadataRequest(), topics: null, allowAutoTopicCreation: false },
            ),
          ],
          Infinity,
        );
        conn.resume();
      });
      const header = decodeResponseHeader(ApiKey.Metadata, METADATA_VERSION, frame);
      const body = decodeResponse(ApiKey.Metadata, METADATA_VERSION, frame, header.headerLength);
      for (const t of body.topics) this.cluster.learnTopic(t.topicId, t.name);
      this.cluster.forgetTopicsExcept(new Set(body.topics.map((t) => t.topicId)));
      return body.topics.flatMap((t) => (t.name === null ? [] : [{ name: t.name, topicId: t.topicId }]));
    } finally {
      conn.close();
    }
  }
}
