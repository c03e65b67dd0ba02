/**
 * The mirror's windowed gauges (min/max/avg over 30 s, MM2's MirrorSourceMetrics shape) report the
 * current window, or the one right before it, never an older one: a scrape after a quiet spell must
 * not show the latency of records replicated minutes ago (the catch-up after a start) as current.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { MirrorMetrics } from '../../../mirror/metrics.js';

const MAX = 'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_max';

async function latencyMax(m: MirrorMetrics): Promise<number | undefined> {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === MAX);
  const v = metric?.values.find((x) => x.labels.topic === 't');
  return v?.value;
}

beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 1_000_000 }));
afterEach(() => mock.timers.reset());

test('the last full window is shown while the current one is empty, and nothing older', async () => {
  const m = new MirrorMetrics();
  const at = (): number => Date.now();
  m.recordReplicated('east', 'west', 't', 0, 10, 100, 14_000, at()); // catch-up after a start
  assert.equal(await latencyMax(m), 14_000, 'current window');
  mock.timers.tick(31_000);
  assert.equal(await latencyMax(m), 14_000, 'the window right before');
  mock.timers.tick(30_000);
  assert.equal(await latencyMax(m), undefined, 'an older window is not reported');

  m.recordReplicated('east', 'west', 't', 0, 10, 5, 40, at());
  mock.timers.tick(10 * 60_000); // quiet for ten minutes, nobody scraped
  assert.equal(await latencyMax(m), undefined, 'a window from minutes ago is not reported');
  m.recordReplicated('east', 'west', 't', 0, 10, 5, 25, at());
  assert.equal(await latencyMax(m), 25);
});
