/**
 * OpenTelemetry tracing shared by every kgw process (gateway, mirror, monitor), configured only
 * through the standard OTEL_* environment variables.
 *
 * Off by default at no cost: unless OTEL_TRACES_EXPORTER names an exporter or an OTLP endpoint is
 * set, the SDK is not even imported; @opentelemetry/api's no-op tracer and propagator then make the
 * helpers below do nothing.
 */
import type { Span, Tracer } from '@opentelemetry/api';
import {
  context,
  propagation,
  SpanKind,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import {
  gatewayRequestChannel,
  mirrorRecordChannel,
  type GatewayRequestEvent,
  type MirrorRecordEvent,
} from './trace-channels.js';

/** True when the environment asks for traces to be exported. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (exporters.length > 0) return !(exporters.length === 1 && exporters[0] === 'none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Whether kgw's own spans (mirror replication, gateway requests) are created at all. Off unless
 * startTracing() started an SDK (or a test enabled it with its own provider). On, this module
 * subscribes to the hot paths' channels (trace-channels.ts); off, nobody listens and the
 * publishers skip building their events.
 */
let spansEnabled = false;
export const tracingEnabled = (): boolean => spansEnabled;
export function setTracingEnabled(on: boolean): void {
  if (on === spansEnabled) return;
  spansEnabled = on;
  if (on) {
    gatewayRequestChannel.subscribe(onGatewayRequest);
    mirrorRecordChannel.subscribe(onMirrorRecord);
  } else {
    gatewayRequestChannel.unsubscribe(onGatewayRequest);
    mirrorRecordChannel.unsubscribe(onMirrorRecord);
  }
}

/** A span per gateway request (the SDK's sampler decides which are kept), as a broker would serve it. */
function onGatewayRequest(message: unknown): void {
  const r = message as GatewayRequestEvent;
  r.span = kgwTracer('kgw-gateway').startSpan(`kafka ${r.api}`, {
    kind: SpanKind.SERVER,
    attributes: {
      'rpc.system': 'kafka',
      'rpc.method': r.api,
      'kafka.api.version': r.apiVersion,
      'kafka.client.id': r.clientId,
      'client.address': r.clientAddress,
      'kgw.listener': r.listener,
      ...(r.principal !== undefined ? { 'enduser.id': r.principal } : {}),
    },
  });
}

/**
 * A replication span per copied record, continuing its producer's trace (read from its headers);
 * the copy carries the replication span's context onwards (replacing the producer's trace headers).
 */
function onMirrorRecord(message: unknown): void {
  const r = message as MirrorRecordEvent;
  const carrier: IHeaders = {};
  for (const h of r.headers) if (h.value !== null) carrier[h.key] = h.value;
  const { span, context: ctx } = startReplicationSpan(kgwTracer('kgw-mirror'), {
    sourceCluster: r.sourceCluster,
    targetCluster: r.targetCluster,
    sourceTopic: r.sourceTopic,
    targetTopic: r.targetTopic,
    partition: r.partition,
    offset: r.offset,
    headers: carrier,
  });
  r.span = span;
  const injected = injectTraceContext({}, ctx);
  r.traceHeaders = Object.keys(injected).map((key) => ({ key, value: Buffer.from(String(injected[key])) }));
}

export interface TracingHandle {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

/**
 * Starts @opentelemetry/sdk-node when tracingRequested(); `serviceName` applies only when
 * OTEL_SERVICE_NAME is unset. Call once, first thing in a process.
 */
export async function startTracing(
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TracingHandle> {
  if (!tracingRequested(env)) return { enabled: false, shutdown: async () => undefined };
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK(env.OTEL_SERVICE_NAME ? {} : { serviceName });
  sdk.start();
  setTracingEnabled(true);
  return { enabled: true, shutdown: () => sdk.shutdown() };
}

/** kafkajs header values are strings, Buffers or arrays of them; W3C fields are single strings. */
const headerGetter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const v = carrier[key];
    if (v === undefined) return undefined;
    const first = Array.isArray(v) ? v[0] : v;
    return first === undefined ? undefined : first.toString();
  },
};

const headerSetter: TextMapSetter<IHeaders> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Writes `traceparent` (and `tracestate`, baggage) of `ctx` into Kafka record headers. */
export function injectTraceContext(headers: IHeaders, ctx: Context = context.active()): IHeaders {
  propagation.inject(ctx, headers, headerSetter);
  return headers;
}

/** The context a record's headers carry (the root context when they carry none). */
export function extractTraceContext(
  headers: IHeaders | undefined,
  base: Context = context.active(),
): Context {
  return headers ? propagation.extract(base, headers, headerGetter) : base;
}

export interface ReplicationSpanInput {
  readonly sourceCluster: string;
  readonly targetCluster: string;
  readonly sourceTopic: string;
  readonly targetTopic: string;
  readonly partition: number;
  readonly offset: string | number;
  readonly headers: IHeaders | undefined;
  readonly consumerGroup?: string;
}

/**
 * Starts the span for replicating one record, as a child of the producer's span found in its
 * headers (so a trace runs producer → mirror → consumer across data centres). Attributes follow
 * the OpenTelemetry messaging semantic conventions. Inject the returned context into the copy's
 * headers, then end the span when the target acknowledges.
 */
export function startReplicationSpan(
  tracer: Tracer,
  r: ReplicationSpanInput,
): { span: Span; context: Context } {
  const parent = extractTraceContext(r.headers);
  const span = tracer.startSpan(
    `replicate ${r.sourceTopic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'replicate',
        'messaging.destination.name': r.sourceTopic,
        'messaging.destination.partition.id': String(r.partition),
        'messaging.kafka.offset': Number(r.offset),
        ...(r.consumerGroup ? { 'messaging.consumer.group.name': r.consumerGroup } : {}),
        'kgw.mirror.source': r.sourceCluster,
        'kgw.mirror.target': r.targetCluster,
        'kgw.mirror.target_topic': r.targetTopic,
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** The tracer kgw code uses; a no-op until startTracing() registered the SDK. */
export const kgwTracer = (name = 'kgw'): Tracer => trace.getTracer(name);
