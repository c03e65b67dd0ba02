/**
 * The pure parts of a mirror cluster: task splitting (MirrorSourceConnector.taskConfigs), the eager
 * assignor, the versioned member-metadata / assignment format, task identities, and the
 * configuration checks. Properties are checked over generated inputs, not single examples.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../config/errors.js';
import { loadMirrorConfig } from '../../../mirror/config/config.js';
import {
  AssignmentFormatError,
  decodeAssignment,
  decodeMemberMetadata,
  encodeAssignment,
  encodeMemberMetadata,
  type Assignment,
} from '../../../mirror/cluster/assignment-codec.js';
import { assign, unitsOf, type Member } from '../../../mirror/cluster/assignor.js';
import {
  splitIntoTasks,
  transactionalId,
  unitKey,
  type TopicPartition,
  type WorkUnit,
} from '../../../mirror/cluster/work.js';
import { mulberry32 } from '../../harness/random.js';

const rng = mulberry32;

function randomPartitions(r: () => number): TopicPartition[] {
  const out: TopicPartition[] = [];
  const topics = 1 + Math.floor(r() * 4);
  for (let t = 0; t < topics; t++) {
    const n = Math.floor(r() * 20);
    for (let p = 0; p < n; p++) out.push({ topic: `t${t}`, partition: p });
  }
  return out.sort(() => r() - 0.5);
}

const key = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

describe('mirror cluster: task splitting', () => {
  test('min(tasks.max, partitions) tasks, every partition in exactly one, sizes differ by at most one', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const partitions = randomPartitions(r);
      const tasksMax = 1 + Math.floor(r() * 10);
      const tasks = splitIntoTasks('a->b', partitions, tasksMax);
      assert.equal(tasks.length, Math.min(tasksMax, partitions.length), `seed ${seed}`);
      assert.deepEqual(
        tasks.map((t) => t.task),
        tasks.map((_, i) => i),
      );
      const all = tasks.flatMap((t) => t.partitions.map(key));
      assert.deepEqual([...all].sort(), partitions.map(key).sort(), `seed ${seed}: each partition once`);
      const sizes = tasks.map((t) => t.partitions.length);
      if (sizes.length > 0) assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `seed ${seed}`);
      // Deterministic: the listing order does not matter (every worker would compute the same).
      assert.deepEqual(splitIntoTasks('a->b', [...partitions].reverse(), tasksMax), tasks, `seed ${seed}`);
    }
  });

  test("transactional ids follow Connect's <group.id>-<connector>-<task> and differ per task", () => {
    assert.equal(
      transactionalId('g1', { flow: 'east->west', task: 3 }),
      'g1-east->west.MirrorSourceConnector-3',
    );
    const ids = new Set(
      [0, 1, 2].flatMap((task) => ['a->b', 'b->a'].map((flow) => transactionalId('g', { flow, task }))),
    );
    assert.equal(ids.size, 6);
  });
});

function members(n: number, hash = 'h'): Member[] {
  return Array.from({ length: n }, (_, i) => ({
    memberId: `m-${i}`,
    workerId: `host:${8000 + ((i * 7) % n)}`,
    url: null,
    configHash: hash,
  }));
}

function unitsFor(r: () => number): WorkUnit[] {
  const units: WorkUnit[] = [];
  for (const flow of ['a->b', 'b->a']) {
    units.push(...splitIntoTasks(flow, randomPartitions(r), 1 + Math.floor(r() * 8)));
    if (r() < 0.8) units.push({ kind: 'checkpoint', flow });
    if (r() < 0.8) units.push({ kind: 'heartbeat', flow });
  }
  return units;
}

describe('mirror cluster: eager assignor', () => {
  test('every unit to exactly one member, loads differ by at most one, roles never doubled', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const m = members(1 + Math.floor(r() * 5));
      const units = unitsFor(r);
      const out = assign({ generation: 7, leader: m[0]!, members: m, units });
      assert.equal(out.size, m.length);
      const got = m.flatMap((x) => unitsOf(out.get(x.memberId)!, x.memberId).map(unitKey));
      assert.deepEqual([...got].sort(), units.map(unitKey).sort(), `seed ${seed}`);
      const loads = m.map((x) => unitsOf(out.get(x.memberId)!, x.memberId).length);
      assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `seed ${seed}: ${loads.join(',')}`);
      // Every member receives the same complete picture (any worker can answer the REST API).
      const pictures = new Set([...out.values()].map((a) => JSON.stringify(a.workers)));
      assert.equal(pictures.size, 1);
      // Deterministic whatever order JoinGroup listed the members in.
      const again = assign({ generation: 7, leader: m[0]!, members: [...m].reverse(), units });
      assert.deepEqual(out.get('m-0')!.workers, again.get('m-0')!.workers);
    }
  });

  test('a member with another configuration gets config_mismatch and no work', () => {
    const m = [...members(2), { memberId: 'odd', workerId: 'x:1', url: null, configHash: 'other' }];
    const units = splitIntoTasks(
      'a->b',
      [
        { topic: 't', partition: 0 },
        { topic: 't', partition: 1 },
      ],
      4,
    );
    const out = assign({ generation: 1, leader: m[0]!, members: m, units });
    assert.equal(out.get('odd')!.error, 'config_mismatch');
    assert.deepEqual(unitsOf(out.get('odd')!, 'odd'), []);
    assert.equal(
      unitsOf(out.get('m-0')!, 'm-0').length + unitsOf(out.get('m-1')!, 'm-1').length,
      units.length,
    );
  });
});

describe('mirror cluster: assignment format', () => {
  test('round trip of member metadata and assignments', () => {
    const meta = { workerId: 'h:1', url: 'http://h:1', configHash: 'abc' };
    assert.deepEqual(decodeMemberMetadata(encodeMemberMetadata(meta)), meta);
    for (let seed = 1; seed <= 100; seed++) {
      const r = rng(seed);
      const m = members(1 + Math.floor(r() * 4));
      const a = assign({ generation: seed, leader: m[0]!, members: m, units: unitsFor(r) }).get('m-0')!;
      const back = decodeAssignment(encodeAssignment(a));
      // Partitions come back grouped by topic; compare as sets per unit.
      const norm = (x: Assignment) =>
        x.workers.map((w) => ({
          ...w,
          units: w.units.map((u) =>
            u.kind === 'source' ? { ...u, partitions: u.partitions.map(key).sort() } : u,
          ),
        }));
      assert.deepEqual(norm(back), norm(a), `seed ${seed}`);
      assert.equal(back.generation, seed);
    }
  });

  test('another version or a malformed field is refused by name', () => {
    const good = encodeMemberMetadata({ workerId: 'h:1', url: null, configHash: 'x' });
    const v2 = Buffer.from(good);
    v2.writeInt16BE(2, 0);
    assert.throws(() => decodeMemberMetadata(v2), /format version 2, this worker reads 1/);
    assert.throws(() => decodeMemberMetadata(Buffer.alloc(1)), AssignmentFormatError);
    const bad = Buffer.concat([good.subarray(0, 2), Buffer.from('{"workerId": 5}')]);
    assert.throws(() => decodeMemberMetadata(bad), /field "workerId"/);
    const unit = Buffer.concat([
      good.subarray(0, 2),
      Buffer.from(
        '{"error":"none","generation":1,"leader":"x","workers":[{"memberId":"m","workerId":"w","url":null,"units":[{"kind":"source","flow":"a->b","task":0,"partitions":{"t":["0"]}}]}]}',
      ),
    ]);
    assert.throws(() => decodeAssignment(unit), /partitions of "t" are not a list of integers/);
  });
});

describe('mirror cluster: configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kgw-workers-config-'));
  const load = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(
      file,
      `clusters = east, west\neast.bootstrap.servers = e:1\nwest.bootstrap.servers = w:1\n${text}`,
    );
    return loadMirrorConfig(file);
  };

  test('off by default; tasks.max without workers is a warning, not an error', () => {
    const c = load('off.properties', 'east->west.enabled = true\ntasks.max = 4\n');
    assert.equal(c.workers, undefined);
    assert.equal(c.flows.find((f) => f.name === 'east->west')!.tasksMax, 4);
    assert.ok(c.warnings.some((w) => w.includes('tasks.max = 4')));
  });

  test("defaults: the flows' one target, Connect's timeouts, a group id per cluster set", () => {
    const c = load('on.properties', 'east->west.enabled = true\nkgw.workers.enabled = true\n');
    assert.deepEqual(c.workers, {
      cluster: 'west',
      groupId: 'kgw-mirror-east-west',
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 3_000,
      rebalanceTimeoutMs: 60_000,
    });
  });

  test('refusals name the key: several targets, unknown alias, heartbeat ≥ session, conflicts', () => {
    const cases: [string, RegExp][] = [
      [
        'east->west.enabled = true\nwest->east.enabled = true\nkgw.workers.enabled = true\n',
        /kgw\.workers\.enabled.*needs kgw\.workers\.cluster/s,
      ],
      [
        'east->west.enabled = true\nkgw.workers.enabled = true\nkgw.workers.cluster = north\n',
        /kgw\.workers\.cluster.*"north" is not listed/s,
      ],
      [
        'east->west.enabled = true\nkgw.workers.enabled = true\nheartbeat.interval.ms = 10000\n',
        /heartbeat\.interval\.ms.*lower than session\.timeout\.ms/s,
      ],
      [
        'east->west.enabled = true\nkgw.workers.enabled = true\nkgw.conflicts.window.ms = 1000\n',
        /kgw\.conflicts\.window\.ms.*cannot run with kgw\.workers\.enabled/s,
      ],
    ];
    cases.forEach(([text, message], i) => {
      assert.throws(
        () => load(`bad-${i}.properties`, text),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
        text,
      );
    });
  });
});
