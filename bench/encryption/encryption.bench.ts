/**
 * The cost of record encryption, in one run against one broker: the same gateway configuration
 * with and without an encryption policy for the measured topics, Kafka's own
 * kafka-producer-perf-test / kafka-consumer-perf-test through each, paths taking turns per round.
 * Ratios are the median of per-round ratios (encrypted / plain), as bench/gateway does.
 *
 *   npm run build && node dist/bench/encryption/encryption.bench.js [--records N] [--size BYTES] [--rounds R]
 *     [--port-base P] [--heap-mb M]
 *
 * Ports, from P (default 14592, this bench's own range): broker P, controller P+100, gateways
 * P+108 / P+128 with per-broker ports from P+118 / P+138. --port-base moves them all, so runs on a
 * shared machine stay inside the range they were given. The AES-GCM engine is the gateway's
 * (KGW_GCM_ENGINE=js|native forces one) and is printed with the results.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { clusterSpec } from '../../deploy/kafka/cluster-config.js';
import { startCluster, stopCluster } from '../../deploy/kafka/cluster.js';
import { parseGatewayConfig } from '../../gateway/config/load.js';
import { startGateway, type RunningGateway } from '../../gateway/gateway.js';
import { tuneHeapForThroughput } from '../../gateway/heap-tuning.js';
import { gcmEngine } from '../../security/encryption/index.js';
import { emptyKeyring, rotateKek, writeKeyringFile } from '../../security/kms/index.js';
import { consumerPerf, producerPerf } from '../gateway/perf-tools.js';
import { append, median } from '../gateway/stats.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const records = arg('records', 200_000);
const size = arg('size', 1024);
const rounds = arg('rounds', 3);
const portBase = arg('port-base', 14592);
const heapMb = arg('heap-mb', 1024);

function gatewayYaml(o: { port: number; brokerBase: number; bootstrap: string; keyring?: string }): string {
  return `
listeners:
  - { name: bench, port: ${o.port}, allowPlaintext: true, saslMechanisms: [], addressing: { mode: port-per-broker, advertisedHost: 127.0.0.1, brokerPortBase: ${o.brokerBase} } }
upstream: { bootstrap: [${o.bootstrap}] }
authorization: { allowEveryoneIfNoAclFound: true }
http: { port: 0 }
log: { level: warn }
${
  o.keyring
    ? `encryption:
  kms: { type: keyring, file: ${o.keyring} }
  topics:
    - { prefix: bench-, kek: bench }`
    : ''
}
`;
}

async function main(): Promise<void> {
  tuneHeapForThroughput();
  const spec = clusterSpec('encbench', {
    basePort: portBase,
    heapMb,
    overrides: { 'file.delete.delay.ms': '1000' },
  });
  console.error('[bench] starting Kafka (one node)');
  const kafka = await startCluster(spec, { fresh: true, ownerPid: process.pid });
  const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const keyring = join(mkdtempSync(join(tmpdir(), 'kgw-encbench-')), 'keyring.json');
  writeKeyringFile(keyring, rotateKek(emptyKeyring(), 'bench', new Date()).ring);
  const log = pino({ level: 'warn' });
  const gateways: RunningGateway[] = [];
  const start = async (yaml: string): Promise<void> => {
    gateways.push(await startGateway(parseGatewayConfig(yaml, 'bench.yaml'), log));
  };
  const [plainPort, encPort] = [portBase + 108, portBase + 128];
  await start(gatewayYaml({ port: plainPort, brokerBase: plainPort + 10, bootstrap: kafka.bootstrap }));
  await start(gatewayYaml({ port: encPort, brokerBase: encPort + 10, bootstrap: kafka.bootstrap, keyring }));
  const paths = [
    { name: 'gateway, no encryption', bootstrap: `127.0.0.1:${plainPort}` },
    { name: 'gateway, AES-256-GCM encryption', bootstrap: `127.0.0.1:${encPort}` },
  ];
  const prod = new Map<string, number[]>();
  const cons = new Map<string, number[]>();
  try {
    for (let round = 0; round <= rounds; round++) {
      const n = round === 0 ? Math.min(records, 50_000) : records;
      // Alternate which path goes first, so neither always meets a warmer page cache.
      const order = round % 2 === 0 ? paths : [...paths].reverse();
      for (const p of order) {
        const topic = `bench-${p.bootstrap.split(':')[1]}-${round}`;
        const pr = await producerPerf({
          bootstrap: p.bootstrap,
          topic,
          records: n,
          recordSize: size,
          throughput: -1,
        });
        const cr = await consumerPerf({ bootstrap: p.bootstrap, topic, records: n });
        await admin.deleteTopics({ topics: [topic], timeout: 30_000 });
        const label = round === 0 ? 'warm-up (not counted)' : `round ${round}`;
        console.error(`[bench] ${label} ${p.name}: produce ${pr.mbPerSec} MB/s, consume ${cr.mbPerSec} MB/s`);
        if (round === 0) continue;
        append(prod, p.name, pr.mbPerSec);
        append(cons, p.name, cr.mbPerSec);
      }
    }
    const [plain, enc] = paths.map((p) => p.name) as [string, string];
    const perRound = (m: Map<string, number[]>): number =>
      median(m.get(enc)!.map((x, i) => x / m.get(plain)![i]!));
    console.log(
      `\n## Record encryption cost (${records} records of ${size} B, ${rounds} rounds, AES-GCM engine: ${gcmEngine().kind})\n`,
    );
    console.log('| path | produce MB/s (median) | consume MB/s (median) |');
    console.log('|---|---|---|');
    for (const p of paths)
      console.log(
        `| ${p.name} | ${median(prod.get(p.name)!).toFixed(1)} | ${median(cons.get(p.name)!).toFixed(1)} |`,
      );
    console.log(
      `\nencrypted / plain, median of per-round ratios: produce ${perRound(prod).toFixed(2)}x, consume ${perRound(cons).toFixed(2)}x`,
    );
  } finally {
    for (const g of gateways) await g.close();
    await admin.disconnect();
    await stopCluster(spec, { graceMs: 5000 });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
