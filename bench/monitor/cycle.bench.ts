/**
 * One monitor cycle over synthetic offsets: T topics × P partitions, G groups each committing to
 * every partition, fed through the same code the collector's cycle uses (offset→time tables, lag,
 * Burrow windows and evaluation), then the Prometheus exposition of the result.
 *
 *   node --expose-gc dist/bench/monitor/cycle.bench.js [partitions=10000] [groups=100] [cycles=5] [--render]
 *
 * The admin calls themselves are not part of this: a real cluster with 10,000 partitions does not
 * fit on a 2-core development machine (see real-cycle.bench.ts for a small real-cluster cycle).
 */
import { computeLag, LookupTables } from '../../monitor/lag/compute.js';
import type { ClusterSnapshot, GroupOffsets, PartitionOffsets } from '../../monitor/lag/types.js';
import { MonitorMetrics } from '../../monitor/metrics.js';
import { StatusStore } from '../../monitor/status/store.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const render = process.argv.includes('--render');
const partitionsTotal = Number(args[0] ?? 10_000);
const groupCount = Number(args[1] ?? 100);
const cycles = Number(args[2] ?? 5);
const perTopic = 10;
const topicCount = Math.ceil(partitionsTotal / perTopic);
const topicNames = Array.from({ length: topicCount }, (_, i) => `topic-${i}`);

function snapshot(cycle: number): ClusterSnapshot {
  const t = 1_000_000 + cycle * 10_000;
  const topics = new Map<string, PartitionOffsets[]>();
  for (const name of topicNames) {
    topics.set(
      name,
      Array.from({ length: perTopic }, (_, p) => ({
        partition: p,
        earliest: 0,
        latest: 1000 * (cycle + 1) + p,
      })),
    );
  }
  const groups: GroupOffsets[] = Array.from({ length: groupCount }, (_, g) => {
    const offsets = new Map<string, Map<number, number>>();
    for (const name of topicNames) {
      const m = new Map<number, number>();
      for (let p = 0; p < perTopic; p++) m.set(p, Math.max(0, 1000 * (cycle + 1) - g * 7 - p));
      offsets.set(name, m);
    }
    return { group: `group-${g}`, protocolType: 'consumer', state: 'Stable', members: 1, offsets };
  });
  return { cluster: 'bench', takenAtMs: t, topics, groups, warnings: [] };
}

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 1048576;
};

const tables = new LookupTables(60);
const store = new StatusStore(10);
const metrics = new MonitorMetrics();
const baseline = heapMb();
console.log(
  `${topicCount * perTopic} partitions × ${groupCount} groups = ${(topicCount * perTopic * groupCount).toLocaleString()} group-partitions, ${cycles} cycles${render ? ', with exposition' : ''}`,
);
for (let c = 0; c < cycles; c++) {
  const snap = snapshot(c); // input construction is not timed: the collector builds it from responses
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  tables.record(snap);
  const lags = computeLag(snap, tables);
  store.observe('bench', snap.takenAtMs, lags, snap.groups);
  const statuses = store.evaluateAll('bench');
  const computeMs = Number(process.hrtime.bigint() - t0) / 1e6;
  let renderMs = 0;
  let bytes = 0;
  if (render) {
    const r0 = process.hrtime.bigint();
    metrics.refresh({
      clusters: new Map([['bench', { snapshot: snap, lags, statuses, lastSuccessMs: snap.takenAtMs }]]),
      replication: [],
      heartbeats: [],
      startedAtMs: 0,
      nowMs: snap.takenAtMs,
    });
    bytes = (await metrics.registry.metrics()).length;
    renderMs = Number(process.hrtime.bigint() - r0) / 1e6;
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `cycle ${c}: compute ${computeMs.toFixed(0)} ms wall` +
      (render ? `, exposition ${renderMs.toFixed(0)} ms (${(bytes / 1048576).toFixed(0)} MiB text)` : '') +
      `, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, heap ${(heapMb() - baseline).toFixed(0)} MiB above baseline`,
  );
}
