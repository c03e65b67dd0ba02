/**
 * Traces through the product, with spans captured in memory (the same SDK the OTEL_* variables
 * configure): a record produced inside a trace is mirrored east → west under a replication span that
 * continues the producer's trace, the copy carries that context on, and gateway requests get spans.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { core, tracing } from '@opentelemetry/sdk-node';
import kafkajs, { type IHeaders } from 'kafkajs';
import pino from 'pino';
import { loadMirrorConfig } from '../../../mirror/config/config.js';
import { Mirror } from '../../../mirror/runtime.js';
import { injectTraceContext, kgwTracer, setTracingEnabled } from '../../../observability/tracing.js';
import { clusterBootstrap, uniqueName } from '../../harness/index.js';
import { kafkajsSecurity, startTestGateway } from '../../harness/gateway.js';
import { createTopic, mm2Properties, readAll, waitFor, writeConfig } from '../mirror/helpers.js';

const { Kafka, logLevel } = kafkajs;
const exporter = new tracing.InMemorySpanExporter();
const provider = new tracing.BasicTracerProvider({
  spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
});
const topic = uniqueName('traced');
let mirror: Mirror;

before(async () => {
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  setTracingEnabled(true);
  await createTopic(clusterBootstrap('east'), topic, 1);
  mirror = new Mirror(
    loadMirrorConfig(
      writeConfig('tracing.properties', mm2Properties({ 'east->west.enabled': 'true', topics: topic })),
    ),
    pino({ level: 'error' }),
  );
  await mirror.start();
});
after(async () => {
  await mirror?.stop();
  setTracingEnabled(false);
  await provider.shutdown();
  trace.disable();
  propagation.disable();
});

const traceIdOf = (traceparent: string): string => traceparent.split('-')[1]!;

test(
  'a mirrored record continues its producer trace under a replication span',
  { timeout: 90_000 },
  async () => {
    const producerSpan = kgwTracer('test-producer').startSpan(`send ${topic}`);
    const headers: IHeaders = {};
    injectTraceContext(headers, trace.setSpan(context.active(), producerSpan));
    producerSpan.end();
    const producer = new Kafka({
      brokers: clusterBootstrap('east').split(','),
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'traced', headers }] });
    await producer.disconnect();

    const [copy] = await waitFor('the mirrored copy', async () => {
      const rs = await readAll(clusterBootstrap('west'), `east.${topic}`).catch(() => []);
      return rs.length > 0 ? rs : undefined;
    });
    const replication = await waitFor('the replication span', async () =>
      exporter.getFinishedSpans().find((s) => s.name === `replicate ${topic}`),
    );
    const producerCtx = producerSpan.spanContext();
    assert.equal(replication.spanContext().traceId, producerCtx.traceId, 'same trace as the producer');
    assert.equal(replication.parentSpanContext?.spanId, producerCtx.spanId, "child of the producer's span");
    assert.equal(replication.attributes['messaging.system'], 'kafka');
    const traceparent = /traceparent=([^,]+)/.exec(copy!.headers)?.[1];
    assert.ok(traceparent, `the copy carries a traceparent: ${copy!.headers}`);
    assert.equal(traceIdOf(traceparent), producerCtx.traceId);
    assert.equal(
      traceparent.split('-')[2],
      replication.spanContext().spanId,
      'the copy continues from the replication span',
    );
  },
);

test('gateway requests get spans', { timeout: 60_000 }, async () => {
  const gw = await startTestGateway({
    upstream: clusterBootstrap('east'),
    users: [{ name: 'alice', password: 'alice-pw' }],
  });
  try {
    const admin = new Kafka({
      brokers: [gw.bootstrap],
      logLevel: logLevel.NOTHING,
      ...kafkajsSecurity(gw, { name: 'alice', password: 'alice-pw' }),
    }).admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
  } finally {
    await gw.close();
  }
  const names = new Set(exporter.getFinishedSpans().map((s) => s.name));
  for (const n of ['kafka ApiVersions', 'kafka SaslAuthenticate', 'kafka Metadata'])
    assert.ok(names.has(n), `span ${n} in ${[...names].join(', ')}`);
  const metadata = exporter.getFinishedSpans().find((s) => s.name === 'kafka Metadata')!;
  assert.equal(metadata.attributes['enduser.id'], 'User:alice');
});
