/**
 * Kafka connections for the probes: client/'s connection (ApiVersions, SASL client,
 * pipelined requests over the generated codec), with every connection and request charged to the
 * owning check's budget, and an `attempt` that turns "the server hung up" into an answer a check
 * can judge instead of an exception.
 */
import { apiKeyTable } from '../protocol/generated/api-keys.js';
import type { RequestApiKey, RequestTypes, ResponseTypes } from '../protocol/codec.js';
import { ConnectionError, KafkaClientConnection } from '../client/connection.js';
import type { SaslCredentials } from '../client/sasl.js';
import type { TlsOptions } from '../client/socket.js';
import { setupRequests, type BudgetMeter } from './budget.js';
import type { Address } from './net.js';

export type Attempt<T> = { answered: true; body: T } | { answered: false; reason: string };

export interface OpenOptions {
  address: Address;
  tls: TlsOptions | undefined;
  sasl: SaslCredentials | undefined;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  meter: BudgetMeter;
}

export class AuditConnection {
  private constructor(
    readonly inner: KafkaClientConnection,
    private readonly meter: BudgetMeter,
  ) {}

  static async open(o: OpenOptions): Promise<AuditConnection> {
    o.meter.chargeConnection();
    o.meter.chargeRequests(setupRequests(o.sasl !== undefined));
    const inner = await KafkaClientConnection.open(o.address, {
      clientId: 'kgw-audit',
      tls: o.tls,
      sasl: o.sasl,
      connectTimeoutMs: o.connectTimeoutMs,
      requestTimeoutMs: o.requestTimeoutMs,
      maxFrameBytes: 16 * 1024 * 1024,
    });
    return new AuditConnection(inner, o.meter);
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  /** Whether the endpoint lists the API in ApiVersions. */
  offers(apiKey: RequestApiKey): boolean {
    return this.inner.apiVersions.apiKeys.some((k) => k.apiKey === apiKey);
  }

  /** Highest version both sides speak in [min, max]; throws naming the API when there is none. */
  version(apiKey: RequestApiKey, min: number, max: number): number {
    return this.inner.version(apiKey, min, max);
  }

  request<K extends RequestApiKey>(
    apiKey: K,
    version: number,
    body: RequestTypes[K],
  ): Promise<ResponseTypes[K]> {
    this.meter.chargeRequests();
    return this.inner.request(apiKey, version, body);
  }

  /** Sends a request; a closed connection or a missing answer is a result, not an error. */
  async attempt<K extends RequestApiKey>(
    apiKey: K,
    version: number,
    body: RequestTypes[K],
  ): Promise<Attempt<ResponseTypes[K]>> {
    try {
      return { answered: true, body: await this.request(apiKey, version, body) };
    } catch (e) {
      if (e instanceof ConnectionError) return { answered: false, reason: e.message };
      throw e;
    }
  }

  close(): void {
    this.inner.close();
  }
}

export const apiName = (apiKey: number): string =>
  apiKeyTable.find((i) => i.apiKey === apiKey)?.name ?? `API ${apiKey}`;
