// A short run of the codec fuzzer (bench/fuzz, full run there: 1,000,000 cases): generated frames
// of every API and version, mutated structurally, through the frame reader, headers, bodies and
// record batches. No crash (anything but KafkaCodecError), no hang, every valid frame decoded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCodecFuzz } from '../../../bench/fuzz/codec-fuzz-run.js';

test(
  '20,000 generated and mutated frames: no crash, no hang, valid frames decode',
  { timeout: 300_000 },
  async () => {
    // A seed per run widens coverage over time; a failure prints it (and the case index) to replay.
    const seed = Number(process.env.KGW_FUZZ_SEED ?? Date.now() % 1_000_000);
    const r = await runCodecFuzz({ seed, cases: 20_000 });
    const detail = `seed ${seed}: ${JSON.stringify(r.findings.slice(0, 3), null, 2)}`;
    assert.equal(r.cases, 20_000);
    assert.equal(r.crashes, 0, detail);
    assert.equal(r.hangs, 0, detail);
    assert.equal(r.validRejected, 0, detail);
    assert.equal(r.roundTripMismatches, 0, detail);
    assert.ok(
      r.decoded > 1_000 && r.rejected > 1_000,
      `both outcomes exercised: ${r.decoded} / ${r.rejected}`,
    );
  },
);
