/**
 * Exactly-once mode without Kafka: its configuration keys (Connect's names, errors that name the
 * key), the transactional id as a pure function of group, flow and task, and the positions that
 * carry owed offset syncs (what readers may rely on while they do).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../config/errors.js';
import { loadMirrorConfig } from '../../../mirror/config/config.js';
import { transactionalIdFor } from '../../../mirror/exactly-once/transactional-id.js';
import {
  decodePosition,
  PositionStore,
  syncedPosition,
  type PositionRecord,
} from '../../../mirror/source/position-store.js';
import type { Admin } from 'kafkajs';

const dir = mkdtempSync(join(tmpdir(), 'kgw-eos-unit-'));
function load(lines: string[]): ReturnType<typeof loadMirrorConfig> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.properties`);
  writeFileSync(
    file,
    [
      'clusters = a, b',
      'a.bootstrap.servers = h:1',
      'b.bootstrap.servers = h:2',
      'a->b.enabled = true',
      ...lines,
    ].join('\n'),
  );
  return loadMirrorConfig(file);
}

describe('exactly-once configuration', () => {
  test('off by default; exactly.once.source.support = enabled turns it on for every flow', () => {
    assert.deepEqual(
      load([]).flows.map((f) => f.exactlyOnce),
      [false, false],
    );
    assert.deepEqual(
      load(['exactly.once.source.support = enabled']).flows.map((f) => f.exactlyOnce),
      [true, true],
    );
    assert.equal(load(['exactly.once.source.support = preparing']).flows[0]!.exactlyOnce, false);
  });

  test('bad values and impossible requirements name the key and line', () => {
    assert.throws(
      () => load(['exactly.once.source.support = yes']),
      (e: unknown) =>
        e instanceof ConfigError &&
        /exactly\.once\.source\.support.*disabled, preparing, enabled/s.test(e.message),
    );
    assert.throws(
      () => load(['a->b.exactly.once.support = required']),
      (e: unknown) =>
        e instanceof ConfigError &&
        /a->b\.exactly\.once\.support.*needs exactly\.once\.source\.support = enabled/s.test(e.message),
    );
    assert.throws(
      () =>
        load([
          'exactly.once.source.support = enabled',
          'exactly.once.support = required',
          'a.consumer.isolation.level = read_uncommitted',
        ]),
      (e: unknown) => e instanceof ConfigError && /read_committed/.test(e.message),
    );
    assert.throws(
      () => load(['transaction.boundary = interval']),
      (e: unknown) => e instanceof ConfigError && /transaction\.boundary.*poll/s.test(e.message),
    );
  });
});

describe('transactional id', () => {
  test('a function of group, flow and task only; distinct per task, flow and group', () => {
    const flow = { source: 'east', target: 'west' };
    const id = transactionalIdFor({ flow, task: 0 });
    assert.equal(id, transactionalIdFor({ flow: { ...flow }, task: 0 }));
    assert.equal(id, 'kgw-mirror-east->west.MirrorSourceConnector-0');
    const ids = new Set([
      id,
      transactionalIdFor({ flow, task: 1 }),
      transactionalIdFor({ flow: { source: 'west', target: 'east' }, task: 0 }),
      transactionalIdFor({ groupId: 'dc-pair-2', flow, task: 0 }),
    ]);
    assert.equal(ids.size, 4);
    assert.throws(() => transactionalIdFor({ flow, task: -1 }), RangeError);
    assert.throws(() => transactionalIdFor({ flow, task: 1.5 }), RangeError);
  });
});

describe('positions with owed offset syncs', () => {
  test('written with the syncs of their transaction, then settled without them', async () => {
    const written: PositionRecord[][] = [];
    const store = new PositionStore({} as Admin, async (_t, records) => void written.push(records), 'p', 1);
    store.advance('t', 0, 110n);
    store.advance('t', 1, 7n);
    const syncs = [
      { topic: 't', partition: 0, upstreamOffset: 100n, downstreamOffset: 51n },
      { topic: 't', partition: 0, upstreamOffset: 109n, downstreamOffset: 60n },
    ];
    assert.equal(await store.commit(store.snapshot(), syncs), 2);
    const p0 = decodePosition(Buffer.from(written[0]![0]!.key), Buffer.from(written[0]![0]!.value));
    assert.deepEqual(p0.syncs, syncs);
    assert.equal(p0.offset, 110n);
    // Readers trust the syncs below the transaction's first record only.
    assert.equal(syncedPosition({ offset: p0.offset!, syncs: p0.syncs }), 100n);
    assert.equal(syncedPosition({ offset: 7n }), 7n);
    assert.equal(store.unsettled, true);
    // Nothing moved: the next commit rewrites partition 0 without its syncs, and only it.
    assert.equal(await store.commit(), 1);
    const settled = decodePosition(Buffer.from(written[1]![0]!.key), Buffer.from(written[1]![0]!.value));
    assert.equal(settled.syncs, undefined);
    assert.equal(settled.offset, 110n);
    assert.equal(store.unsettled, false);
    assert.equal(await store.commit(), 0);
  });
});
