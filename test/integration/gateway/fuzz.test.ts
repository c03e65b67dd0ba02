/**
 * A short live fuzz run (bench/fuzz; full run there: 100,000 frames): a `kgw gateway` process in
 * front of the real broker gets generated and mutated frames before and after a real SCRAM login.
 * It must neither die nor hang, must answer or close every session, and must keep serving. Also
 * checks, on that process, that the audit log lands beside the config file, not in the working
 * directory (issue #12, finding 10).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fuzzGateway } from '../../../bench/fuzz/gateway-fuzz.js';
import { FUZZ_ENTITY_NAMES, FUZZ_USER, startFuzzedGateway } from '../../../bench/fuzz/setup.js';
import type { GatewayProcess } from '../../harness/gateway-process.js';
import { clusterBootstrap } from '../../harness/index.js';

let gw: GatewayProcess;
before(async () => {
  gw = await startFuzzedGateway(clusterBootstrap('east'));
});
after(() => gw?.stop());

test(
  '3,000 mutated frames before and after login: no crash, no hang, bounded memory',
  { timeout: 300_000 },
  async () => {
    // A fixed seed by default: this runs against the shared cluster, and a new seed could find the
    // next request that takes a broker down in the middle of everyone's tests. New seeds belong to
    // the full run (bench/fuzz); KGW_FUZZ_SEED picks another here.
    const seed = Number(process.env.KGW_FUZZ_SEED ?? 20240612);
    const r = await fuzzGateway({
      gateway: gw,
      user: FUZZ_USER,
      entityNames: FUZZ_ENTITY_NAMES,
      frames: 3_000,
      seed,
      concurrency: 4,
    });
    const detail = `seed ${seed}: ${JSON.stringify(r, null, 2)}`;
    assert.equal(r.crashed, false, detail);
    assert.equal(r.hangs, 0, detail);
    assert.equal(r.unresponsive, 0, detail);
    assert.equal(r.internalErrors, 0, detail);
    assert.equal(r.upstreamLost, 0, `the broker behind the gateway survived: ${detail}`);
    assert.equal(r.loginFailures, 0, detail);
    assert.ok(r.preAuthFrames > 500 && r.postAuthFrames > 500, detail);
    assert.ok(r.answered > 0 && r.closedByGateway > 0, `both outcomes exercised: ${detail}`);
    assert.ok(r.peakRssMiB < 512, `peak RSS ${r.peakRssMiB} MiB`);
  },
);

test('the audit log is written beside the config file, not in the working directory', () => {
  assert.ok(existsSync(join(gw.configDir, 'audit.log')), 'audit.log beside gateway.yaml');
  assert.deepEqual(readdirSync(gw.cwd), [], 'nothing written to the working directory');
});
