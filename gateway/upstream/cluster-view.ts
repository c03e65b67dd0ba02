/**
 * What the gateway knows about the upstream cluster: where each broker node really is, and which
 * API versions the brokers speak. Filled from the bootstrap at start and kept current from every
 * Metadata / FindCoordinator / DescribeCluster / KIP-951 endpoint list that passes through, so
 * leadership changes, restarts and brokers that join later are followed without restarting.
 */
import { EventEmitter } from 'node:events';
import {
  ApiKey,
  decodeResponse,
  decodeResponseHeader,
  defaultMetadataRequest,
  encodeRequestFrame,
  type ApiVersionsResponse,
} from '../../protocol/index.js';
import type { UpstreamConfig } from '../config/schema.js';
import { BrokerConnection, type BrokerAddress } from './broker-connection.js';

export function parseAddress(hostPort: string): BrokerAddress {
  const i = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
}

export class ClusterView extends EventEmitter<{ 'node-added': [nodeId: number] }> {
  private readonly nodes = new Map<number, BrokerAddress>();
  private readonly bootstrap: BrokerAddress[];
  private next = 0;
  /** The most recent ApiVersions answer of an upstream broker. */
  apiVersions: ApiVersionsResponse | undefined;
  clusterId: string | null = null;
  /** Topic ids → names, from Metadata responses (Fetch v13+ and Produce v13+ name topics by id). */
  private readonly topicNames = new Map<string, string>();

  constructor(
    private readonly cfg: UpstreamConfig,
    private readonly maxFrameBytes: number,
  ) {
    super();
    this.bootstrap = cfg.bootstrap.map(parseAddress);
  }

  /** Records a node's real address (before the gateway rewrites it for clients). */
  learn(nodeId: number, host: string, port: number): void {
    if (nodeId < 0) return;
    const known = this.nodes.get(nodeId);
    if (known && known.host === host && known.port === port) return;
    this.nodes.set(nodeId, { host, port });
    if (!known) this.emit('node-added', nodeId);
  }

  learnTopic(topicId: string, name: string | null): void {
    if (name) this.topicNames.set(topicId, name);
  }

  /** After a listing of every topic: ids it no longer has are deleted topics. */
  forgetTopicsExcept(topicIds: ReadonlySet<string>): void {
    for (const id of this.topicNames.keys()) if (!topicIds.has(id)) this.topicNames.delete(id);
  }

  topicName(topicId: string): string | undefined {
    return this.topicNames.get(topicId);
  }

  address(nodeId: number): BrokerAddress | undefined {
    return this.nodes.get(nodeId);
  }

  nodeIds(): number[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  /** Where a bootstrap connection goes: known nodes first, round-robin, then the configured list. */
  bootstrapCandidates(): BrokerAddress[] {
    const all = [...this.nodes.values(), ...this.bootstrap];
    const start = this.next++ % all.length;
    return [...all.slice(start), ...all.slice(0, start)];
  }

  /** Opens a connection to a node, or to any reachable bootstrap address. */
  async connect(nodeId: number | 'bootstrap'): Promise<BrokerConnection> {
    if (nodeId !== 'bootstrap') {
      let address = this.nodes.get(nodeId);
      if (!address) {
        await this.refresh();
        address = this.nodes.get(nodeId);
      }
      if (!address) throw new Error(`upstream has no broker with node id ${nodeId}`);
      return this.track(await BrokerConnection.open(address, this.cfg, this.maxFrameBytes));
    }
    let lastError: unknown;
    for (const address of this.bootstrapCandidates()) {
      try {
        return this.track(await BrokerConnection.open(address, this.cfg, this.maxFrameBytes));
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('no upstream broker reachable');
  }

  private track(conn: BrokerConnection): BrokerConnection {
    this.apiVersions = conn.apiVersions;
    return conn;
  }

  /** Asks the upstream for its brokers (a Metadata request for no topics) and learns them. */
  async refresh(): Promise<void> {
    const conn = await this.connect('bootstrap');
    try {
      const version = 12;
      const frame = await new Promise<Buffer>((resolve, reject) => {
        conn.once('frame', resolve);
        conn.once('close', (e) => reject(e ?? new Error('closed before answering metadata')));
        conn.send(
          [
            encodeRequestFrame(
              { apiKey: ApiKey.Metadata, apiVersion: version, correlationId: 1, clientId: 'kgw-gateway' },
              { ...defaultMetadataRequest(), topics: [] },
            ),
          ],
          Infinity,
        );
        conn.resume();
      });
      const header = decodeResponseHeader(ApiKey.Metadata, version, frame);
      const body = decodeResponse(ApiKey.Metadata, version, frame, header.headerLength);
      this.clusterId = body.clusterId;
      for (const b of body.brokers) this.learn(b.nodeId, b.host, b.port);
    } finally {
      conn.close();
    }
  }
}
