import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { core, tracing } from '@opentelemetry/sdk-node';
import type { IHeaders } from 'kafkajs';
import {
  extractTraceContext,
  injectTraceContext,
  startReplicationSpan,
  tracingRequested,
} from '../../../observability/tracing.js';

describe('tracing is off unless OTEL_* asks for it', () => {
  test('tracingRequested', () => {
    assert.equal(tracingRequested({}), false);
    assert.equal(tracingRequested({ OTEL_TRACES_EXPORTER: 'none' }), false);
    assert.equal(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' }), true);
    assert.equal(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), true);
    assert.equal(
      tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_SDK_DISABLED: 'true' }),
      false,
    );
  });

  test('without an SDK the helpers are no-ops', () => {
    const headers: IHeaders = {};
    injectTraceContext(headers);
    assert.deepEqual(headers, {});
  });
});

describe('W3C trace context through Kafka headers', () => {
  const exporter = new tracing.InMemorySpanExporter();
  const provider = new tracing.BasicTracerProvider({
    spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
  });
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  after(async () => {
    await provider.shutdown();
    trace.disable();
    propagation.disable();
  });

  test('inject/extract round trip, and the replication span continues the producer trace', () => {
    const tracer = trace.getTracer('test');
    const producerSpan = tracer.startSpan('send orders');
    const headers: IHeaders = { existing: Buffer.from('kept') };
    injectTraceContext(headers, trace.setSpan(context.active(), producerSpan));
    const traceparent = String(headers.traceparent);
    assert.match(traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.equal(traceparent.split('-')[1], producerSpan.spanContext().traceId);

    // As kafkajs delivers them: Buffers.
    const received: IHeaders = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, Buffer.from(String(v))]),
    );
    const extracted = trace.getSpanContext(extractTraceContext(received));
    assert.equal(extracted?.traceId, producerSpan.spanContext().traceId);
    assert.equal(extracted?.spanId, producerSpan.spanContext().spanId);

    const { span, context: ctx } = startReplicationSpan(tracer, {
      sourceCluster: 'east',
      targetCluster: 'west',
      sourceTopic: 'orders',
      targetTopic: 'east.orders',
      partition: 2,
      offset: '41',
      headers: received,
    });
    const copyHeaders: IHeaders = {};
    injectTraceContext(copyHeaders, ctx);
    span.end();
    producerSpan.end();

    const spans = exporter.getFinishedSpans();
    const rep = spans.find((s) => s.name === 'replicate orders')!;
    assert.equal(rep.spanContext().traceId, producerSpan.spanContext().traceId);
    assert.equal(rep.parentSpanContext?.spanId, producerSpan.spanContext().spanId);
    assert.equal(rep.attributes['messaging.system'], 'kafka');
    assert.equal(rep.attributes['messaging.destination.name'], 'orders');
    assert.equal(rep.attributes['messaging.kafka.offset'], 41);
    assert.equal(String(copyHeaders.traceparent).split('-')[2], rep.spanContext().spanId);
  });

  test('headers without trace context give the base context', () => {
    assert.equal(trace.getSpanContext(extractTraceContext({ a: 'b' })), undefined);
    assert.equal(trace.getSpanContext(extractTraceContext(undefined)), undefined);
  });
});
