/**
 * Active-active conflicts without Kafka: the detector (time passed in), the log sampler, the
 * configuration checks, and last-writer-wins driven through random interleavings of two clusters'
 * writers, the two flows that read them, copies in flight and repairs: at quiescence every
 * cluster's last record per key is the same version, the one an independent oracle picks from
 * everything written.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../config/errors.js';
import { resolveConfig } from '../../../mirror/config/config.js';
import type { PropertyEntry } from '../../../config/properties.js';
import { ConflictDetector } from '../../../mirror/conflicts/detector.js';
import { LwwState, type Version } from '../../../mirror/conflicts/lww.js';
import { SampledLog } from '../../../mirror/conflicts/sampled-log.js';
import { TopicLabel, OVERFLOW_LABEL } from '../../../mirror/conflicts/topic-label.js';
import { mulberry32 } from '../../harness/random.js';

const k = (s: string): Buffer => Buffer.from(s);

describe('conflict detector', () => {
  test('same key in two clusters within the window, whichever arrives first', () => {
    const d = new ConflictDetector(100);
    assert.equal(d.observe('t', k('a'), 'east', 1000, 50), undefined, 'first write: nothing to compare');
    assert.equal(d.observe('t', k('a'), 'east', 1010, 50), undefined, 'same cluster is never a conflict');
    const c = d.observe('t', k('a'), 'west', 1040, 50);
    assert.ok(c);
    assert.equal(c.otherCluster, 'east');
    assert.equal(c.otherTimestamp, 1010, "compared with the other cluster's newest write");
    assert.equal(c.keyBytes, 1);
    assert.match(c.keyHash, /^[0-9a-f]{12}$/);
    // Arrival order means nothing: a write with an older timestamp fetched later still conflicts.
    assert.ok(d.observe('t', k('b'), 'west', 5000, 50) === undefined);
    assert.ok(d.observe('t', k('b'), 'east', 4960, 50));
  });

  test('outside the window, other keys, other topics: no conflict', () => {
    const d = new ConflictDetector(100);
    d.observe('t', k('a'), 'east', 1000, 50);
    assert.equal(d.observe('t', k('a'), 'west', 1051, 50), undefined, '51 ms apart, window 50');
    assert.equal(d.observe('t', k('b'), 'west', 1000, 50), undefined);
    assert.equal(d.observe('u', k('a'), 'west', 1000, 50), undefined);
    assert.ok(d.observe('t', k('a'), 'west', 1050, 50), 'exactly at the window edge counts');
  });

  test('bounded per topic: the least recently written key is forgotten and its conflict missed', () => {
    const d = new ConflictDetector(3);
    for (const key of ['a', 'b', 'c']) d.observe('t', k(key), 'east', 1000, 100);
    d.observe('t', k('a'), 'east', 1001, 100); // a is now the most recent
    d.observe('t', k('d'), 'east', 1002, 100); // evicts b
    assert.equal(d.size('t'), 3);
    assert.deepEqual([...d.takeEvictions()], [['t', 1]]);
    assert.equal(d.observe('t', k('b'), 'west', 1003, 100), undefined, 'b was forgotten: missed');
    assert.ok(d.observe('t', k('a'), 'west', 1003, 100), 'a was kept');
    assert.ok(d.observe('u', k('z'), 'east', 0, 1) === undefined && d.size('u') === 1, 'caps are per topic');
  });
});

describe('conflict log sampling and labels', () => {
  test('at most N lines a minute; the next line says how many were not logged', () => {
    const s = new SampledLog(2);
    assert.deepEqual(s.take(0), { log: true, suppressed: 0 });
    assert.deepEqual(s.take(10), { log: true, suppressed: 0 });
    assert.deepEqual(s.take(20), { log: false });
    assert.deepEqual(s.take(59_999), { log: false });
    assert.deepEqual(s.take(60_000), { log: true, suppressed: 2 });
    assert.deepEqual(new SampledLog(0).take(0), { log: false }, '0 turns the log off');
  });

  test('topic labels are capped', () => {
    const l = new TopicLabel(2);
    assert.equal(l.of('a'), 'a');
    assert.equal(l.of('b'), 'b');
    assert.equal(l.of('c'), OVERFLOW_LABEL);
    assert.equal(l.of('a'), 'a');
  });
});

describe('conflict configuration', () => {
  const base: Record<string, string> = {
    clusters: 'east, west',
    'east.bootstrap.servers': 'localhost:1',
    'west.bootstrap.servers': 'localhost:2',
    'east->west.enabled': 'true',
    'west->east.enabled': 'true',
    'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
  };
  const load = (extra: Record<string, string>) =>
    resolveConfig(
      'mm2.properties',
      Object.entries({ ...base, ...extra }).map(([key, value], i): PropertyEntry => ({
        key,
        value,
        line: i + 1,
      })),
    );
  const refused = (extra: Record<string, string>, key: string, why: RegExp) =>
    assert.throws(
      () => load(extra),
      (err: unknown) =>
        err instanceof ConfigError && err.details[0]?.path === key && why.test(err.message) ? true : false,
    );

  test('defaults: detection off, no last-writer-wins; per-flow window override', () => {
    const c = load({ 'kgw.conflicts.window.ms': '2000', 'west->east.kgw.conflicts.window.ms': '500' });
    assert.equal(c.conflicts.lwwEnabled, false);
    assert.equal(c.flows.find((f) => f.name === 'east->west')!.conflictWindowMs, 2000);
    assert.equal(c.flows.find((f) => f.name === 'west->east')!.conflictWindowMs, 500);
    assert.equal(load({}).flows[0]!.conflictWindowMs, 0);
    assert.equal(load({}).conflicts.maxKeysPerTopic, 100_000);
  });

  test('last-writer-wins settings that cannot converge are refused, naming the key', () => {
    const lww = { 'kgw.conflicts.lww.topics': 'state\\..*' };
    const order = 'kgw.conflicts.lww.cluster.order';
    refused(lww, 'kgw.conflicts.lww.topics', /needs kgw\.conflicts\.lww\.cluster\.order/);
    refused({ ...lww, [order]: 'east' }, order, /"west" is missing/);
    refused({ ...lww, [order]: 'east, west, north' }, order, /"north" is not listed/);
    refused({ ...lww, [order]: 'east, east, west' }, order, /twice/);
    refused(
      {
        ...lww,
        [order]: 'east,west',
        'replication.policy.class': 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy',
      },
      'kgw.conflicts.lww.topics',
      /IdentityReplicationPolicy/,
    );
    refused(
      { ...lww, [order]: 'east,west', 'west->east.enabled': 'false' },
      'kgw.conflicts.lww.topics',
      /west->east\.enabled = true/,
    );
    refused({ 'kgw.conflicts.lww.topics': '(' }, 'kgw.conflicts.lww.topics', /invalid regular expression/);
    refused({ 'kgw.conflicts.window.ms': '-5' }, 'kgw.conflicts.window.ms', /at least 0/);
    const c = load({ ...lww, [order]: 'west,east' });
    assert.equal(c.conflicts.lwwEnabled, true);
    assert.deepEqual(c.conflicts.clusterOrder, ['west', 'east']);
    assert.ok(c.conflicts.lwwTopics.matches('state.users') && !c.conflicts.lwwTopics.matches('orders'));
  });
});

// ----- last-writer-wins through random interleavings ------------------------------------------

interface SimRecord {
  key: string;
  value: string;
  ts: number;
  /** Provenance: absent for a client's write. */
  origin?: { cluster: string; offset: number };
  path: string[];
}

const rng = mulberry32;

/**
 * Two clusters' logs (one topic, one partition), a writer per cluster, and the two flows as the
 * source connector runs them: read the source log in order, ask the state, copy winners (the copy
 * lands on the target some steps later: in flight), and write repairs into the target.
 */
function simulate(seed: number, order: [string, string]): void {
  const rand = rng(seed);
  const clusters = ['east', 'west'] as const;
  const logs: Record<string, SimRecord[]> = { east: [], west: [] };
  const read: Record<string, number> = { east: 0, west: 0 };
  const inFlight: { to: string; rec: SimRecord; due: number }[] = [];
  const state = new LwwState(order, 1_000);
  const written: { cluster: string; offset: number; rec: SimRecord }[] = [];
  const keys = ['a', 'b', 'c', 'd'];
  let writes = 60 + Math.floor(rand() * 60);
  let clock = 0;
  let seq = 0;
  for (
    let step = 0;
    writes > 0 ||
    inFlight.length > 0 ||
    clusters.some((c) => read[c]! < logs[c]!.length) ||
    clusters.some((c) => state.hasRepairs(c));
    step++
  ) {
    assert.ok(step < 100_000, `seed ${seed}: no quiescence`);
    const roll = rand();
    if (roll < 0.35 && writes > 0) {
      // a client writes; timestamps jump around (ties on purpose: a coarse clock)
      const cluster = clusters[Math.floor(rand() * 2)]!;
      clock += Math.floor(rand() * 3);
      const ts = clock - Math.floor(rand() * 4); // a little skew, sometimes older than already written
      const rec: SimRecord = {
        key: keys[Math.floor(rand() * keys.length)]!,
        value: `${cluster}-${seq++}`,
        ts,
        path: [],
      };
      written.push({ cluster, offset: logs[cluster]!.length, rec });
      logs[cluster]!.push(rec);
      writes--;
    } else if (roll < 0.7) {
      // a flow reads its source's next record
      const source = clusters[Math.floor(rand() * 2)]!;
      const target = source === 'east' ? 'west' : 'east';
      if (read[source]! >= logs[source]!.length) continue;
      const offset = read[source]!++;
      const r = logs[source]![offset]!;
      const echo = r.path.includes(target);
      const version: Version = r.origin
        ? { ts: r.ts, cluster: r.origin.cluster, offset: BigInt(r.origin.offset) }
        : { ts: r.ts, cluster: source, offset: BigInt(offset) };
      const won = state.observe(source, 't', 0, k(r.key), version, k(r.value), []);
      if (!echo && won)
        inFlight.push({
          to: target,
          rec: { ...r, origin: r.origin ?? { cluster: source, offset }, path: [...r.path, source] },
          due: step + Math.floor(rand() * 20),
        });
    } else if (roll < 0.85) {
      // copies land (possibly after newer local writes: the case skipping alone cannot fix)
      for (let i = inFlight.length - 1; i >= 0; i--) {
        if (inFlight[i]!.due > step && writes > 0) continue;
        const { to, rec } = inFlight.splice(i, 1)[0]!;
        logs[to]!.push(rec);
      }
    } else {
      // a flow writes the repairs its target needs
      const target = clusters[Math.floor(rand() * 2)]!;
      const source = target === 'east' ? 'west' : 'east';
      for (const rep of state.takeRepairs(target)) {
        const path = rep.version.cluster === source ? [source] : [rep.version.cluster, source];
        logs[target]!.push({
          key: rep.key.toString(),
          value: rep.value!.toString(),
          ts: rep.version.ts,
          origin: { cluster: rep.version.cluster, offset: Number(rep.version.offset) },
          path,
        });
      }
    }
  }
  // The oracle: from everything the clients wrote, greatest timestamp, then cluster order, then
  // the later write in the same cluster.
  const rank = (c: string) => order.indexOf(c);
  const oracle = new Map<string, (typeof written)[number]>();
  for (const w of written) {
    const best = oracle.get(w.rec.key);
    if (
      best === undefined ||
      w.rec.ts > best.rec.ts ||
      (w.rec.ts === best.rec.ts &&
        (rank(w.cluster) < rank(best.cluster) || (w.cluster === best.cluster && w.offset > best.offset)))
    )
      oracle.set(w.rec.key, w);
  }
  const compacted = (log: SimRecord[]) => new Map(log.map((r) => [r.key, r.value]));
  const east = compacted(logs.east!);
  const west = compacted(logs.west!);
  assert.deepEqual(east, west, `seed ${seed}: the clusters differ`);
  assert.deepEqual(
    east,
    new Map([...oracle].map(([key, w]) => [key, w.rec.value])),
    `seed ${seed}: not the newest`,
  );
}

describe('last-writer-wins', () => {
  test('ties: timestamp first, then cluster order, then the later write in one cluster', () => {
    const s = new LwwState(['east', 'west'], 16);
    const v = (ts: number, cluster: string, offset: number): Version => ({
      ts,
      cluster,
      offset: BigInt(offset),
    });
    assert.ok(s.beats(v(2, 'west', 0), v(1, 'east', 9)));
    assert.ok(s.beats(v(1, 'east', 0), v(1, 'west', 9)));
    assert.ok(s.beats(v(1, 'west', 5), v(1, 'west', 4)));
  });

  test('a losing copy that lands after the winner is repaired; winners are not copied twice', () => {
    const s = new LwwState(['east', 'west'], 16);
    const newer = { ts: 20, cluster: 'west', offset: 0n };
    const older = { ts: 10, cluster: 'east', offset: 0n };
    assert.equal(s.observe('east', 't', 0, k('a'), older, k('old'), []), true, 'first seen: copied');
    assert.equal(s.observe('west', 't', 0, k('a'), newer, k('new'), []), true);
    assert.equal(s.hasRepairs('west'), false);
    // west's log then shows east's older copy, which landed after west's own newer write
    assert.equal(s.observe('west', 't', 0, k('a'), older, k('old'), []), false);
    const r = s.takeRepairs('west');
    assert.equal(r.length, 1);
    assert.equal(r[0]!.value!.toString(), 'new');
    assert.deepEqual(r[0]!.version, newer);
    // the repair, observed in west's log, makes west's tail the winner: nothing more to do
    assert.equal(s.observe('west', 't', 0, k('a'), newer, k('new'), []), true);
    assert.deepEqual(s.takeRepairs('west'), []);
  });

  test('bounded: the least recently written key is forgotten', () => {
    const s = new LwwState(['east', 'west'], 2);
    for (const key of ['a', 'b', 'c'])
      s.observe('east', 't', 0, k(key), { ts: 1, cluster: 'east', offset: 0n }, null, []);
    assert.equal(s.size, 2);
    assert.equal(s.takeEvictions(), 1);
    assert.equal(s.winner('t', 0, k('a')), undefined);
  });

  test('500 random interleavings converge to the newest version in both clusters', () => {
    for (let seed = 1; seed <= 500; seed++)
      simulate(seed, seed % 2 === 0 ? ['east', 'west'] : ['west', 'east']);
  });
});
