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
} from '../monitor/metric-names.js';

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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Counters that may stay at zero for a long time exist from the start, so dashboards show 0
    // rather than "no data" and increase() sees the first event.
    for (const reason of ['max-connections', 'max-connections-per-ip', 'locked-out'])
      this.rejected.inc({ reason }, 0);
  }

  /** Authentication counters start at zero for every listener and mechanism it offers. */
  initListener(listener: string, mechanisms: readonly string[]): void {
    this.connections.inc({ listener }, 0);
    for (const mechanism of mechanisms) {
      for (const c of [this.authOk, this.authFailed, this.reauthOk, this.reauthFailed])
        c.inc({ listener, mechanism }, 0);
    }
  }

  request(api: string, version: number, listener: string): void {
    this.requests.inc({ request: api, version: String(version), listener });
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
    this.bytesInTotal.inc({ topic }, bytes);
    if (messages > 0) this.messagesInTotal.inc({ topic }, messages);
  }

  bytesOut(topic: string, bytes: number): void {
    this.bytesOutTotal.inc({ topic }, bytes);
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

  connectionRejected(reason: string): void {
    this.rejected.inc({ reason });
  }
}
