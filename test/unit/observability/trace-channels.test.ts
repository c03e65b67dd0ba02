/**
 * Hot paths reach tracing only through diagnostics channels: nobody listens while tracing is off
 * (so publishers skip their events), and once on, tracing.ts answers a gateway request with a
 * server span and a mirrored record with a replication span continuing its producer's trace plus
 * the trace headers its copy carries (replacing the producer's, keeping the others).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { core, tracing } from '@opentelemetry/sdk-node';
import type { IHeaders } from 'kafkajs';
import {
  gatewayRequestChannel,
  mirrorRecordChannel,
  publishGatewayRequest,
} from '../../../observability/trace-channels.js';
import { injectTraceContext, setTracingEnabled } from '../../../observability/tracing.js';
import { traceRecord } from '../../../mirror/record-trace.js';
import type { SpanHandle } from '../../../observability/trace-channels.js';

const exporter = new tracing.InMemorySpanExporter();
const provider = new tracing.BasicTracerProvider({
  spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
});
trace.setGlobalTracerProvider(provider);
propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
after(async () => {
  setTracingEnabled(false);
  await provider.shutdown();
  trace.disable();
  propagation.disable();
});

test('with tracing off nobody listens on the channels, and a publish attaches no span', () => {
  setTracingEnabled(false);
  assert.equal(gatewayRequestChannel.hasSubscribers, false);
  assert.equal(mirrorRecordChannel.hasSubscribers, false);
  const span = publishGatewayRequest({
    api: 'Produce',
    apiVersion: 9,
    clientId: 'c',
    principal: undefined,
    clientAddress: '127.0.0.1',
    listener: 'plain',
  });
  assert.equal(span, undefined);
});

test('with tracing on, a gateway request gets a server span named after its API', () => {
  setTracingEnabled(true);
  assert.equal(gatewayRequestChannel.hasSubscribers, true);
  const span = publishGatewayRequest({
    api: 'Fetch',
    apiVersion: 16,
    clientId: 'app-1',
    principal: 'User:alice',
    clientAddress: '10.0.0.7',
    listener: 'sasl',
  });
  assert.ok(span);
  span.end();
  const s = exporter.getFinishedSpans().find((x) => x.name === 'kafka Fetch');
  assert.ok(s, 'the span was exported');
  assert.equal(s.attributes['rpc.method'], 'Fetch');
  assert.equal(s.attributes['enduser.id'], 'User:alice');
  assert.equal(s.attributes['kafka.client.id'], 'app-1');
});

test('with tracing on, a mirrored record continues its producer trace and its copy carries the new context', () => {
  setTracingEnabled(true);
  const producerSpan = trace.getTracer('test').startSpan('send orders');
  const carrier: IHeaders = {};
  injectTraceContext(carrier, trace.setSpan(context.active(), producerSpan));
  const sourceHeaders = Object.entries(carrier).map(([key, v]) => ({ key, value: Buffer.from(String(v)) }));
  const spans: SpanHandle[] = [];
  const copyHeaders = traceRecord({
    sourceCluster: 'east',
    targetCluster: 'west',
    sourceTopic: 'orders',
    targetTopic: 'east.orders',
    partition: 1,
    record: { offset: 41n, headers: sourceHeaders } as never,
    headers: [...sourceHeaders, { key: 'kgw-origin', value: Buffer.from('east') }],
    spans,
  });
  assert.equal(spans.length, 1);
  spans[0]!.end();
  producerSpan.end();
  const rep = exporter.getFinishedSpans().find((x) => x.name === 'replicate orders');
  assert.ok(rep);
  assert.equal(rep.spanContext().traceId, producerSpan.spanContext().traceId);
  assert.equal(rep.parentSpanContext?.spanId, producerSpan.spanContext().spanId);
  const traceparents = copyHeaders.filter((h) => h.key === 'traceparent');
  assert.equal(traceparents.length, 1, 'the producer traceparent is replaced, not duplicated');
  assert.ok(String(traceparents[0]!.value).includes(rep.spanContext().spanId));
  assert.ok(
    copyHeaders.some((h) => h.key === 'kgw-origin'),
    'other headers are kept',
  );
});
