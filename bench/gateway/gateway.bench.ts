/**
 * Gateway overhead, measured in one run against the same broker:
 *   direct Kafka  vs  gateway (plaintext, no SASL)  vs  gateway (TLS + SCRAM-SHA-512)
 * with Kafka's own kafka-producer-perf-test / kafka-consumer-perf-test. Prints throughput ratios,
 * and latency percentiles at half of the direct maximum rate (added latency = gateway - direct).
 *
 *   npm run build && node dist/bench/gateway/gateway.bench.js [--records N] [--size BYTES] [--rounds R]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { clusterSpec } from '../../deploy/kafka/cluster-config.js';
import { startCluster, stopCluster } from '../../deploy/kafka/cluster.js';
import { parseGatewayConfig } from '../../gateway/config/load.js';
import { startGateway } from '../../gateway/gateway.js';
import { tuneHeapForThroughput } from '../../gateway/heap-tuning.js';
import {
  ADMIN,
  javaClientConfig,
  saslSslBrokerOverrides,
  startTestGateway,
  testPki,
} from '../../test/harness/gateway.js';
import { consumerPerf, producerPerf, type ProducerResult } from './perf-tools.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const records = arg('records', 300_000);
const size = arg('size', 1024);
const rounds = arg('rounds', 2);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/**
 * Median over rounds of path `a` / path `b` measured in the same round. Rounds drift (broker JIT,
 * page cache, log segments) by more than the differences between paths, so paths are compared
 * within a round, never across rounds.
 */
const pairedRatio = (m: Map<string, number[]>, a: string, b: string): number =>
  median(m.get(a)!.map((x, i) => x / m.get(b)![i]!));

async function main(): Promise<void> {
  tuneHeapForThroughput(); // the gateways run in this process: tuned as `kgw gateway` tunes itself
  // The broker also offers SASL_SSL (SCRAM-SHA-512, the same development PKI) on a second port, so
  // the cost of TLS itself on this machine (the client JVM encrypts and decrypts on the same cores)
  // is measured directly and the gateway's TLS figures can be read against it.
  const pki = await testPki();
  const securePort = 26292; // 26092 plaintext, 26192 controller
  const spec = clusterSpec('bench', {
    basePort: 26092,
    heapMb: 1024,
    formatArgs: ['--add-scram', `SCRAM-SHA-512=[name=${ADMIN.name},password=${ADMIN.password}]`],
    overrides: saslSslBrokerOverrides({ plaintext: 26092, controller: 26192, secure: securePort }, pki),
  });
  console.error('[bench] starting Kafka (one node)');
  const kafka = await startCluster(spec, { fresh: true, ownerPid: process.pid });
  const plainPort = 26500;
  const plainYaml = `
listeners:
  - { name: plain, port: ${plainPort}, allowPlaintext: true, saslMechanisms: [], addressing: { mode: port-per-broker, advertisedHost: 127.0.0.1, brokerPortBase: 26510 } }
upstream: { bootstrap: [${kafka.bootstrap}] }
authorization: { allowEveryoneIfNoAclFound: true }
http: { port: 0 }
log: { level: warn }
`;
  const plain = await startGateway(
    parseGatewayConfig(plainYaml, 'bench-plain.yaml'),
    pino({ level: 'warn' }),
  );
  const secure = await startTestGateway({
    upstream: kafka.bootstrap,
    allowEveryoneIfNoAclFound: true,
    securityTopic: '__kgw_bench_security',
  });
  const secureConfig = javaClientConfig(secure, ADMIN);
  const directTlsConfig = join(secure.dir, 'direct-tls.properties');
  writeFileSync(
    directTlsConfig,
    [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-512',
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${ADMIN.name}" password="${ADMIN.password}";`,
      'ssl.truststore.type=PKCS12',
      `ssl.truststore.location=${pki.truststoreP12}`,
      `ssl.truststore.password=${pki.password}`,
    ].join('\n') + '\n',
  );
  const targets = [
    { name: 'direct', bootstrap: kafka.bootstrap, config: undefined as string | undefined },
    { name: 'direct TLS+SCRAM', bootstrap: `127.0.0.1:${securePort}`, config: directTlsConfig },
    { name: 'gateway plaintext', bootstrap: `127.0.0.1:${plainPort}`, config: undefined },
    { name: 'gateway TLS+SCRAM', bootstrap: secure.bootstrap, config: secureConfig },
  ];
  const prod = new Map<string, number[]>();
  const cons = new Map<string, number[]>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const t of targets) {
        const topic = `bench-${t.name.replace(/\W+/g, '-')}-${round}`;
        const p = await producerPerf({
          bootstrap: t.bootstrap,
          topic,
          records,
          recordSize: size,
          throughput: -1,
          configFile: t.config,
        });
        const c = await consumerPerf({ bootstrap: t.bootstrap, topic, records, configFile: t.config });
        prod.set(t.name, [...(prod.get(t.name) ?? []), p.mbPerSec]);
        cons.set(t.name, [...(cons.get(t.name) ?? []), c.mbPerSec]);
        console.error(
          `[bench] round ${round + 1} ${t.name}: produce ${p.mbPerSec} MB/s, consume ${c.mbPerSec} MB/s`,
        );
      }
    }
    // Latency at half of the direct maximum rate: same offered load everywhere.
    const directMax = (median(prod.get('direct')!) * 1024 * 1024) / size;
    const halfRate = Math.floor(directMax / 2);
    const latency = new Map<string, ProducerResult>();
    for (const t of targets) {
      const topic = `bench-lat-${t.name.replace(/\W+/g, '-')}`;
      latency.set(
        t.name,
        await producerPerf({
          bootstrap: t.bootstrap,
          topic,
          records: Math.min(records, halfRate * 20),
          recordSize: size,
          throughput: halfRate,
          configFile: t.config,
        }),
      );
    }
    const d = latency.get('direct')!;
    const lines = [
      `Gateway benchmark: ${records} records x ${size} B, ${rounds} rounds (MB/s: median; ratios: median of per-round ratios), one broker, 2 cores shared by broker, gateway and clients`,
      '',
      '| path | produce MB/s | ratio | consume MB/s | ratio | p50 / p99 / p99.9 ms at ' +
        halfRate +
        ' rec/s | added p99 ms |',
      '|---|---|---|---|---|---|---|',
    ];
    for (const t of targets) {
      const pm = median(prod.get(t.name)!);
      const cm = median(cons.get(t.name)!);
      const l = latency.get(t.name)!;
      lines.push(
        `| ${t.name} | ${pm.toFixed(1)} | ${pairedRatio(prod, t.name, 'direct').toFixed(2)}x | ${cm.toFixed(1)} | ${pairedRatio(cons, t.name, 'direct').toFixed(2)}x | ${l.p50} / ${l.p99} / ${l.p999} | ${t.name === 'direct' ? '-' : (l.p99 - d.p99).toString()} |`,
      );
    }
    const ratio = (m: Map<string, number[]>, a: string, b: string): string => pairedRatio(m, a, b).toFixed(2);
    const dt = latency.get('direct TLS+SCRAM')!;
    const gt = latency.get('gateway TLS+SCRAM')!;
    lines.push(
      '',
      `gateway TLS+SCRAM vs direct TLS+SCRAM: produce ${ratio(prod, 'gateway TLS+SCRAM', 'direct TLS+SCRAM')}x, ` +
        `consume ${ratio(cons, 'gateway TLS+SCRAM', 'direct TLS+SCRAM')}x, added p99 ${gt.p99 - dt.p99} ms`,
    );
    const report = lines.join('\n');
    console.log(report);
    mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
    writeFileSync(join(process.cwd(), 'bench', 'results', 'gateway.md'), report + '\n');
  } finally {
    await plain.close();
    await secure.close();
    await stopCluster(spec, { graceMs: 5000 });
  }
}

await main();
process.exit(0);
