/**
 * The events hot paths publish for tracing, on named `node:diagnostics_channel` channels. The
 * gateway and the mirror import only this module (no tracer, no OpenTelemetry); `tracing.ts`
 * subscribes while tracing is on and answers each event by attaching the span it started (and, for
 * records, the trace headers the copy carries on). Publishers check `hasSubscribers` before they
 * build an event, so with tracing off a request or record costs one property read.
 *
 * Anyone may subscribe by name (`diagnostics_channel.subscribe('kgw:gateway:request', fn)`), as
 * undici's channels are used: a subscriber that only observes leaves `span` unset.
 */
import { channel } from 'node:diagnostics_channel';

/** A started span: ended when the work it covers is done (a request answered, a copy acknowledged). */
export interface SpanHandle {
  end(): void;
}

/** Channel `kgw:gateway:request`: the gateway began handling one client request. */
export const GATEWAY_REQUEST_CHANNEL = 'kgw:gateway:request';

export interface GatewayRequestEvent {
  /** Kafka's API name ("Produce"). */
  readonly api: string;
  readonly apiVersion: number;
  /** The client's id and the principal, already cut and escaped for logs and traces. */
  readonly clientId: string;
  readonly principal: string | undefined;
  readonly clientAddress: string;
  readonly listener: string;
  /** Set by a tracing subscriber; the gateway ends it when the answer is written. */
  span?: SpanHandle;
}

/** Channel `kgw:mirror:record`: the mirror is about to copy one record to the target cluster. */
export const MIRROR_RECORD_CHANNEL = 'kgw:mirror:record';

export interface MirrorRecordEvent {
  readonly sourceCluster: string;
  readonly targetCluster: string;
  readonly sourceTopic: string;
  readonly targetTopic: string;
  readonly partition: number;
  /** The record's offset on the source (decimal). */
  readonly offset: string;
  /** The source record's headers (W3C trace context among them when its producer traced it). */
  readonly headers: readonly { key: string; value: Buffer | null }[];
  /** Set by a tracing subscriber; the mirror ends it when the target acknowledges the copy. */
  span?: SpanHandle;
  /** Set by a tracing subscriber: headers that replace the same keys on the copy (trace context). */
  traceHeaders?: { key: string; value: Buffer }[];
}

export const gatewayRequestChannel = channel(GATEWAY_REQUEST_CHANNEL);
export const mirrorRecordChannel = channel(MIRROR_RECORD_CHANNEL);

/** Publishes a gateway request; the span a subscriber attached, if any. */
export function publishGatewayRequest(event: GatewayRequestEvent): SpanHandle | undefined {
  gatewayRequestChannel.publish(event);
  return event.span;
}

/** Publishes a record about to be copied; the subscriber's answer is on the event. */
export function publishMirrorRecord(event: MirrorRecordEvent): MirrorRecordEvent {
  mirrorRecordChannel.publish(event);
  return event;
}
