/**
 * Sources written with every compression Kafka clients use (kcat: gzip, snappy, lz4, zstd) are
 * replicated, and a topic the mirror cannot read never stalls the others.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kcat, uniqueName } from '../../harness/index.js';
import {
  EAST,
  WEST,
  killAllMirrors,
  mm2Properties,
  readAll,
  startMirror,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';

const prefix = uniqueName('mt-comp');
const codecs = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
let mirror: MirrorProcess;

before(async () => {
  for (const codec of codecs) {
    const r = await kcat(['-b', EAST(), '-t', `${prefix}-${codec}`, '-P', '-z', codec, '-X', 'acks=all'], {
      input: `${codec}-1\n${codec}-2\n${codec}-3\n`,
    });
    assert.equal(r.code, 0, r.stderr);
  }
  mirror = await startMirror(
    writeConfig(
      'compression.properties',
      mm2Properties({ 'east->west.enabled': 'true', topics: `${prefix}-.*` }),
    ),
  );
});
after(async () => {
  await mirror?.stop();
  killAllMirrors();
});

test(
  'records compressed with gzip, snappy, lz4 and zstd are all replicated',
  { timeout: 120_000 },
  async () => {
    for (const codec of codecs) {
      const records = await waitFor(`east.${prefix}-${codec} on west`, async () => {
        const rs = await readAll(WEST(), `east.${prefix}-${codec}`).catch(() => []);
        return rs.length >= 3 ? rs : undefined;
      });
      assert.deepEqual(
        records.map((r) => r.value),
        [`${codec}-1`, `${codec}-2`, `${codec}-3`],
      );
    }
  },
);
