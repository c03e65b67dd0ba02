/**
 * At-least-once across kill -9: while numbered records stream into east, the mirror process is
 * killed with SIGKILL at random moments (10 times) and restarted; afterwards every record is on west.
 * Duplicates (replayed since the last stored position) are counted and reported.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
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
} from './helpers.js';

after(killAllMirrors);

const TOTAL = 20_000;
const KILLS = 10;

test(`kill -9 of the mirror ${KILLS} times during a stream of ${TOTAL} records loses nothing`, async () => {
  const topic = uniqueName('mt-k9');
  await createTopic(EAST(), topic, 4);
  const config = writeConfig(
    'kill9.properties',
    mm2Properties({
      'east->west.enabled': 'true',
      'west->east.enabled': 'false',
      topics: topic,
      'emit.checkpoints.enabled': 'false',
    }),
  );
  // ~1000 records/s for ~20 s.
  const producing = (async () => {
    for (let i = 0; i < TOTAL; i += 100) {
      await produceNumbered(EAST(), topic, 'n', 100, i);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  let mirror = await startMirror(config);
  const killedAt: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 1000 + Math.random() * 1500));
    killedAt.push(Math.round(performance.now()));
    await mirror.kill9();
    mirror = await startMirror(config);
  }
  await producing;
  try {
    const target = `east.${topic}`;
    let records: Awaited<ReturnType<typeof readAll>> = [];
    const seen = new Map<number, number>();
    await waitFor(
      'every record on west',
      async () => {
        const ends = await endOffsets(WEST(), target);
        if ([...ends.values()].reduce((a, b) => a + b, 0) < TOTAL) return undefined;
        records = await readAll(WEST(), target);
        seen.clear();
        for (const r of records) {
          const n = Number(r.value.slice(2));
          seen.set(n, (seen.get(n) ?? 0) + 1);
        }
        return seen.size >= TOTAL ? true : undefined;
      },
      120_000,
    ).catch(() => undefined); // the assertions below report what is missing
    const missing = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => !seen.has(i));
    const duplicates = records.length - seen.size;
    console.log(
      `[mirror kill -9] ${KILLS} kills, ${TOTAL} records, ${records.length} on target, ${duplicates} duplicates, ${missing.length} missing`,
    );
    assert.deepEqual(missing.slice(0, 20), [], 'no record lost');
    assert.equal(seen.size, TOTAL);
  } finally {
    await mirror.stop();
  }
});
