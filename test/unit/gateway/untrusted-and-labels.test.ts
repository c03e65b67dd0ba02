// Client-chosen strings in logs are bounded, and client-chosen topic names cannot grow the metric
// registry beyond the cap (the rest are counted under __other__, so totals stay exact).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OVERFLOW_LABEL } from '../../../gateway/bounded-label.js';
import { GatewayMetrics } from '../../../gateway/metrics.js';
import { untrusted } from '../../../gateway/untrusted.js';

test('a 1 MiB string is logged as a bounded prefix that states the original length', () => {
  const huge = 'u'.repeat(1024 * 1024);
  const out = untrusted(huge);
  assert.ok(out.length < 300, `length ${out.length}`);
  assert.ok(out.startsWith('u'.repeat(256)));
  assert.match(out, /\[1048576 chars\]$/);
  assert.equal(untrusted('alice'), 'alice');
  assert.equal(untrusted('a\nb'), 'a\\x0ab', 'control characters cannot forge log lines');
  assert.equal(untrusted(undefined), undefined);
});

async function series(metrics: GatewayMetrics, name: string): Promise<Map<string, number>> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const out = new Map<string, number>();
  for (const v of (m?.values ?? []) as { labels: Record<string, string>; value: number }[])
    out.set(JSON.stringify(v.labels), v.value);
  return out;
}

test('topic labels are capped; the overflow keeps the totals', async () => {
  const metrics = new GatewayMetrics({ maxLabelValues: 50 });
  let total = 0;
  for (let i = 0; i < 5_000; i++) {
    metrics.bytesIn(`no-such-topic-${i}`, 10, 1);
    metrics.bytesOut(`t-${i}`, 7);
    total += 10;
  }
  metrics.bytesIn('x'.repeat(100_000), 10, 1); // not a legal topic name: never its own series
  total += 10;
  const bytesIn = await series(metrics, 'kafka_server_brokertopicmetrics_bytesin_total');
  const bytesOut = await series(metrics, 'kafka_server_brokertopicmetrics_bytesout_total');
  const topics = new Set([...bytesIn.keys(), ...bytesOut.keys()]);
  assert.ok(topics.size <= 51, `${topics.size} distinct topic label values`);
  assert.equal(
    [...bytesIn.values()].reduce((a, b) => a + b, 0),
    total,
    'no byte is lost',
  );
  assert.ok(bytesIn.has(JSON.stringify({ topic: OVERFLOW_LABEL })));
  assert.ok(
    bytesIn.has(JSON.stringify({ topic: 'no-such-topic-0' })),
    'the first names keep their own series',
  );
});

test('request versions the codec does not know share one label value', async () => {
  const metrics = new GatewayMetrics();
  for (let v = 0; v < 2_000; v++) metrics.request('Metadata', v <= 13 ? v : undefined, 'external');
  const requests = await series(metrics, 'kafka_network_requestmetrics_requests_total');
  assert.equal(requests.size, 15);
  assert.equal(
    requests.get(JSON.stringify({ request: 'Metadata', version: 'unsupported', listener: 'external' })),
    2_000 - 14,
  );
});
