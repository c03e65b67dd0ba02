/**
 * `node dist/bench/fuzz/gateway.fuzz.js [--frames N] [--seed S] [--port P]`: the full live fuzz
 * run (default 100,000 mutated frames) against a `kgw gateway` process in front of a private
 * single-node Kafka cluster started for the run (port P, default 11700; controller P+100), both
 * stopped at the end, then finding 6's pre-authentication flood on the same process (RSS before,
 * at the peak, after). Prints the report as JSON; exits non-zero on a crash, hang, unresponsive
 * control probe, internal error or lost broker. Figures and the command: bench/fuzz/README.md.
 */
import { parseArgs } from 'node:util';
import { clusterSpec } from '../../deploy/kafka/cluster-config.js';
import { startCluster, stopCluster } from '../../deploy/kafka/cluster.js';
import { fuzzGateway } from './gateway-fuzz.js';
import { preAuthFlood } from './preauth-flood.js';
import { FUZZ_ENTITY_NAMES, FUZZ_USER, startFuzzedGateway } from './setup.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20240612' },
    port: { type: 'string', default: '11700' },
    concurrency: { type: 'string', default: '6' },
  },
});
const spec = clusterSpec('fuzz', { nodes: 1, basePort: Number(values.port), heapMb: 512 });
const log = (line: string): void => void process.stderr.write(`[fuzz] ${line}\n`);
const kafka = await startCluster(spec, { fresh: true, ownerPid: process.pid, log });
process.exitCode = 1;
try {
  const gw = await startFuzzedGateway(kafka.bootstrap);
  try {
    const report = await fuzzGateway({
      gateway: gw,
      user: FUZZ_USER,
      entityNames: FUZZ_ENTITY_NAMES,
      frames: Number(values.frames),
      seed: Number(values.seed),
      concurrency: Number(values.concurrency),
      progress: log,
    });
    // Then finding 6's attack on the same process: 100 connections announcing 90 MiB frames.
    const flood = await preAuthFlood(gw, { connections: 100, bytesPerConnection: 2 * 1024 * 1024 });
    console.log(JSON.stringify({ ...report, preAuthFlood: flood }, null, 2));
    const failed =
      report.crashed ||
      report.hangs +
        report.unresponsive +
        report.internalErrors +
        report.loginFailures +
        report.upstreamLost >
        0;
    process.exitCode = failed ? 1 : 0;
  } finally {
    await gw.stop();
  }
} finally {
  await stopCluster(spec, { graceMs: 5000 });
}
