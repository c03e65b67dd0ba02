/**
 * east↔west with IdentityReplicationPolicy: the same topic name on both sides. Provenance headers
 * (kgw.path) stop every record from coming back, so each side ends with its own records plus the
 * other side's, once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uniqueName } from '../../harness/index.js';
import {
  EAST,
  WEST,
  createTopic,
  killAllMirrors,
  endOffsets,
  mm2Properties,
  produceNumbered,
  readAll,
  startMirror,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';

const sum = (m: Map<number, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

describe('mirror active-active (IdentityReplicationPolicy)', () => {
  const topic = uniqueName('mt-id');
  let mirror: MirrorProcess;

  before(async () => {
    await Promise.all([createTopic(EAST(), topic, 3), createTopic(WEST(), topic, 3)]);
    mirror = await startMirror(
      writeConfig(
        'identity.properties',
        mm2Properties({
          'east->west.enabled': 'true',
          'west->east.enabled': 'true',
          topics: topic,
          'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
        }),
      ),
    );
  });
  after(async () => {
    await mirror?.stop();
    killAllMirrors();
  });

  test('identical topic names, no echo, order per partition preserved', async () => {
    await Promise.all([produceNumbered(EAST(), topic, 'e', 200), produceNumbered(WEST(), topic, 'w', 200)]);
    for (const side of [EAST(), WEST()]) {
      await waitFor('400 records on each side', async () =>
        sum(await endOffsets(side, topic)) >= 400 ? true : undefined,
      );
    }
    await new Promise((r) => setTimeout(r, 4000)); // an echo would show up here
    for (const [side, local, remote] of [
      [EAST(), 'e', 'w'],
      [WEST(), 'w', 'e'],
    ] as const) {
      const all = await readAll(side, topic);
      assert.equal(all.length, 400, 'own 200 + the other side’s 200, nothing echoed');
      const mirrored = all.filter((r) => r.value.startsWith(`${remote}-`));
      const own = all.filter((r) => r.value.startsWith(`${local}-`));
      assert.equal(mirrored.length, 200);
      assert.equal(own.length, 200);
      for (const r of mirrored)
        assert.match(r.headers, new RegExp(`kgw\\.path=${remote === 'e' ? 'east' : 'west'}(,|$)`));
      for (const r of own) assert.doesNotMatch(r.headers, /kgw\.path/);
      for (const p of [0, 1, 2]) {
        const seqs = mirrored.filter((r) => r.partition === p).map((r) => Number(r.value.slice(2)));
        assert.deepEqual(
          seqs,
          [...seqs].sort((a, b) => a - b),
          `partition ${p} in order`,
        );
      }
    }
  });
});
