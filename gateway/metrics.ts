/**
 * The gateway's Prometheus metrics, named as jmx_exporter renders the matching Kafka broker MBeans
 * (see docs/metrics.md), registered from the shared catalogue so dashboards and code cannot drift.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  GATEWAY_ACL_DENIALS_TOTAL,
  GATEWAY_BYTES_IN_TOTAL,
  GATEWAY_BYTES_OUT_TOTAL,
  GATEWAY_CONNECTION_COUNT,
  GATEWAY_CONNECTIONS_REJECTED_TOTAL,
  GATEWAY_FAILED_AUTHENTICATION_TOTAL,
  GATEWAY_FAILED_REAUTHENTICATION_TOTAL,
  GATEWAY_MESSAGES_IN_TOTAL,
  GATEWAY_REQUEST_ERRORS_TOTAL,
  GATEWAY_REQUEST_LOCAL_TIME_MS,
  GATEWAY_REQUEST_REMOTE_TIME_MS,
  GATEWAY_REQUEST_TOTAL_TIME_MS,
  GATEWAY_REQUESTS_TOTAL,
  GATEWAY_SUCCESSFUL_AUTHENTICATION_TOTAL,
  GATEWAY_SUCCESSFUL_REAUTHENTICATION_TOTAL,
  promClientOptions,
} from '../observability/metrics/index.js';
import { topicLabel, type BoundedLabel } from './bounded-label.js';

/** Reasons a connection is closed before it is served (label `reason`; a fixed set). */
export type RejectReason =
  'max-connections' | 'max-connections-per-ip' | 'auth-timeout' | 'frame-too-large-before-auth';
const REJECT_REASONS: readonly RejectReason[] = [
  'max-connections',
  'max-connections-per-ip',
  'auth-timeout',
  'frame-too-large-before-auth',
];

export interface GatewayMetricsOptions {
  /** Distinct client-supplied topic names per label before `__other__` (limits.maxLabelValues). */
  maxLabelValues: number;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    ...promClientOptions(GATEWAY_REQUESTS_TOTAL),
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    ...promClientOptions(GATEWAY_REQUEST_ERRORS_TOTAL),
    registers: [this.registry],
  });
  private readonly totalTime = new Histogram({
    ...promClientOptions(GATEWAY_REQUEST_TOTAL_TIME_MS),
    registers: [this.registry],
  });
  private readonly remoteTime = new Histogram({
    ...promClientOptions(GATEWAY_REQUEST_REMOTE_TIME_MS),
    registers: [this.registry],
  });
  private readonly localTime = new Histogram({
    ...promClientOptions(GATEWAY_REQUEST_LOCAL_TIME_MS),
    registers: [this.registry],
  });
  private readonly bytesInTotal = new Counter({
    ...promClientOptions(GATEWAY_BYTES_IN_TOTAL),
    registers: [this.registry],
  });
  private readonly bytesOutTotal = new Counter({
    ...promClientOptions(GATEWAY_BYTES_OUT_TOTAL),
    registers: [this.registry],
  });
  private readonly messagesInTotal = new Counter({
    ...promClientOptions(GATEWAY_MESSAGES_IN_TOTAL),
    registers: [this.registry],
  });
  private readonly connections = new Gauge({
    ...promClientOptions(GATEWAY_CONNECTION_COUNT),
    registers: [this.registry],
  });
  private readonly authOk = new Counter({
    ...promClientOptions(GATEWAY_SUCCESSFUL_AUTHENTICATION_TOTAL),
    registers: [this.registry],
  });
  private readonly authFailed = new Counter({
    ...promClientOptions(GATEWAY_FAILED_AUTHENTICATION_TOTAL),
    registers: [this.registry],
  });
  private readonly reauthOk = new Counter({
    ...promClientOptions(GATEWAY_SUCCESSFUL_REAUTHENTICATION_TOTAL),
    registers: [this.registry],
  });
  private readonly reauthFailed = new Counter({
    ...promClientOptions(GATEWAY_FAILED_REAUTHENTICATION_TOTAL),
    registers: [this.registry],
  });
  private readonly denials = new Counter({
    ...promClientOptions(GATEWAY_ACL_DENIALS_TOTAL),
    registers: [this.registry],
  });
  private readonly rejected = new Counter({
    ...promClientOptions(GATEWAY_CONNECTIONS_REJECTED_TOTAL),
    registers: [this.registry],
  });

  /** Topic names come from requests (Produce) and responses: bounded, see bounded-label.ts. */
  private readonly topics: BoundedLabel;

  constructor(opts: GatewayMetricsOptions = { maxLabelValues: 1_000 }) {
    this.topics = topicLabel(opts.maxLabelValues);
    collectDefaultMetrics({ register: this.registry });
    // Counters that may stay at zero for a long time exist from the start, so dashboards show 0
    // rather than "no data" and increase() sees the first event.
    for (const reason of REJECT_REASONS) this.rejected.inc({ reason }, 0);
  }

  /** Authentication counters start at zero for every listener and mechanism it offers. */
  initListener(listener: string, mechanisms: readonly string[]): void {
    this.connections.inc({ listener }, 0);
    for (const mechanism of mechanisms) {
      for (const c of [this.authOk, this.authFailed, this.reauthOk, this.reauthFailed])
        c.inc({ listener, mechanism }, 0);
    }
  }

  /**
   * `api` is a known API's name; `version` undefined when the client asked for a version the codec
   * does not know (any int16 is possible: it must not become a label value of its own).
   */
  request(api: string, version: number | undefined, listener: string): void {
    this.requests.inc({
      request: api,
      version: version === undefined ? 'unsupported' : String(version),
      listener,
    });
  }

  /** Times in ms: total (received → answered), remote (upstream round trip), local (gateway work). */
  completed(api: string, totalMs: number, remoteMs: number): void {
    this.totalTime.observe({ request: api }, totalMs);
    this.remoteTime.observe({ request: api }, remoteMs);
    this.localTime.observe({ request: api }, Math.max(0, totalMs - remoteMs));
  }

  error(api: string, error: string): void {
    this.errors.inc({ request: api, error });
  }

  bytesIn(topic: string, bytes: number, messages: number): void {
    const label = this.topics.of(topic);
    this.bytesInTotal.inc({ topic: label }, bytes);
    if (messages > 0) this.messagesInTotal.inc({ topic: label }, messages);
  }

  bytesOut(topic: string, bytes: number): void {
    this.bytesOutTotal.inc({ topic: this.topics.of(topic) }, bytes);
  }

  connectionOpened(listener: string): void {
    this.connections.inc({ listener });
  }

  connectionClosed(listener: string): void {
    this.connections.dec({ listener });
  }

  authenticated(listener: string, mechanism: string, reauth: boolean, ok: boolean): void {
    const counter = reauth ? (ok ? this.reauthOk : this.reauthFailed) : ok ? this.authOk : this.authFailed;
    counter.inc({ listener, mechanism });
  }

  aclDenied(api: string, resourceType: string, operation: string): void {
    this.denials.inc({ api, resource_type: resourceType, operation });
  }

  connectionRejected(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }
}
