/**
 * Gateway overhead, measured in one run against the same broker, with Kafka's own
 * kafka-producer-perf-test / kafka-consumer-perf-test:
 *   direct Kafka (plaintext and TLS+SCRAM), bare TCP relays (Node; HAProxy with splice when
 *   installed: the ceiling for any proxy here),
 *   the gateway plaintext, the gateway TLS+SCRAM-SHA-512.
 * Prints throughput ratios, then steady-state latency at half of the direct maximum rate (added
 * latency = path - direct in the same latency round) and the gateway's own time per Produce request.
 *
 *   npm run build && node dist/bench/gateway/gateway.bench.js [--records N] [--size BYTES]
 *     [--rounds R] [--latency-rounds L] [--latency-seconds S]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
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
import { produceLocalTimeBuckets, shareWithin } from './local-time.js';
import { consumerPerf, producerPerf, type ProducerResult } from './perf-tools.js';
import { formatReport } from './report.js';
import { append, median } from './stats.js';
import { startHaproxyRelay, startNodeRelay } from './tcp-relay.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const records = arg('records', 300_000);
const size = arg('size', 1024);
const rounds = arg('rounds', 2);
const latencyRounds = arg('latency-rounds', 3);
const latencySeconds = arg('latency-seconds', 30);

// Ports: 26092 plaintext, 26192 controller, 26292 SASL_SSL, 26392 / 26394 the listeners behind the
// Node relay / HAProxy (advertised as the relays' 26393 / 26395), 26500/26510+ the plaintext gateway.
const PORTS = { plaintext: 26092, controller: 26192, secure: 26292 };
const RELAYS = [
  {
    listener: 'NODERELAY',
    broker: 26392,
    relay: 26393,
    name: 'bare TCP relay (Node)',
    start: startNodeRelay,
  },
  {
    listener: 'HAPROXY',
    broker: 26394,
    relay: 26395,
    name: 'HAProxy TCP (splice)',
    start: startHaproxyRelay,
  },
];

async function main(): Promise<void> {
  tuneHeapForThroughput(); // the gateways run in this process: tuned as `kgw gateway` tunes itself
  // The broker also offers SASL_SSL (SCRAM-SHA-512, the same development PKI) on a second port, so
  // the cost of TLS itself on this machine (the client JVM encrypts and decrypts on the same cores)
  // is measured directly and the gateway's TLS figures can be read against it.
  const pki = await testPki();
  const overrides = saslSslBrokerOverrides(PORTS, pki);
  // A plaintext listener per relay whose advertised address is the relay's, so clients that
  // bootstrap through a relay also fetch and produce through it.
  for (const r of RELAYS) {
    overrides.listeners += `,${r.listener}://127.0.0.1:${r.broker}`;
    overrides['advertised.listeners'] += `,${r.listener}://127.0.0.1:${r.relay}`;
    overrides['listener.security.protocol.map'] += `,${r.listener}:PLAINTEXT`;
  }
  const spec = clusterSpec('bench', {
    basePort: PORTS.plaintext,
    heapMb: 1024,
    // Every measured topic is deleted once read (a run writes ~50 GB otherwise); its files go soon.
    overrides: { ...overrides, 'file.delete.delay.ms': '1000' },
    formatArgs: ['--add-scram', `SCRAM-SHA-512=[name=${ADMIN.name},password=${ADMIN.password}]`],
  });
  console.error('[bench] starting Kafka (one node)');
  const kafka = await startCluster(spec, { fresh: true, ownerPid: process.pid });
  const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const drop = (topic: string): Promise<void> => admin.deleteTopics({ topics: [topic], timeout: 30_000 });
  const relays = [];
  for (const r of RELAYS) {
    const running = await r.start(r.relay, r.broker);
    if (running) relays.push({ ...r, running });
    else console.error(`[bench] ${r.name}: not installed, row skipped`);
  }
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
    { name: 'direct TLS+SCRAM', bootstrap: `127.0.0.1:${PORTS.secure}`, config: directTlsConfig },
    ...relays.map((r) => ({ name: r.name, bootstrap: `127.0.0.1:${r.relay}`, config: undefined })),
    { name: 'gateway plaintext', bootstrap: `127.0.0.1:${plainPort}`, config: undefined },
    { name: 'gateway TLS+SCRAM', bootstrap: secure.bootstrap, config: secureConfig },
  ];
  const prod = new Map<string, number[]>();
  const cons = new Map<string, number[]>();
  try {
    // Round 0 warms the broker, the page cache and every path's first connection; not counted.
    for (let round = 0; round <= rounds; round++) {
      const n = round === 0 ? Math.min(records, 200_000) : records;
      for (const t of targets) {
        const topic = `bench-${t.name.replace(/\W+/g, '-')}-${round}`;
        const p = await producerPerf({
          bootstrap: t.bootstrap,
          topic,
          records: n,
          recordSize: size,
          throughput: -1,
          configFile: t.config,
        });
        const c = await consumerPerf({ bootstrap: t.bootstrap, topic, records: n, configFile: t.config });
        await drop(topic);
        const label = round === 0 ? 'warm-up round (not counted)' : `round ${round}`;
        console.error(`[bench] ${label} ${t.name}: produce ${p.mbPerSec} MB/s, consume ${c.mbPerSec} MB/s`);
        if (round === 0) continue;
        append(prod, t.name, p.mbPerSec);
        append(cons, t.name, c.mbPerSec);
      }
    }

    // Latency at half of the direct maximum rate: the same offered load on every path, measured
    // in steady state (the first third of each run is the tool's warm-up and left out).
    const halfRate = Math.floor((median(prod.get('direct')!) * 1024 * 1024) / size / 2);
    const warmupSeconds = Math.round(latencySeconds / 3);
    const latency = new Map<string, ProducerResult[]>();
    const localBefore = await produceLocalTimeBuckets(plain.metrics.registry);
    for (let round = 1; round <= latencyRounds; round++) {
      for (const t of targets) {
        const topic = `bench-lat-${t.name.replace(/\W+/g, '-')}-${round}`;
        const r = await producerPerf({
          bootstrap: t.bootstrap,
          topic,
          records: halfRate * latencySeconds,
          warmupRecords: halfRate * warmupSeconds,
          recordSize: size,
          throughput: halfRate,
          configFile: t.config,
        });
        console.error(
          `[bench] latency round ${round} ${t.name}: avg ${r.avgMs} ms, p50 ${r.p50}, p99 ${r.p99}, p99.9 ${r.p999} ms`,
        );
        await drop(topic);
        append(latency, t.name, r);
      }
    }
    const localAfter = await produceLocalTimeBuckets(plain.metrics.registry);
    const report = formatReport({
      records,
      size,
      rounds,
      latencyRounds,
      latencySeconds,
      warmupSeconds,
      halfRate,
      paths: targets.map((t) => t.name),
      relays: relays.map((r) => r.name),
      produce: prod,
      consume: cons,
      latency,
      gatewayTimeWithin: (ms) => shareWithin(localBefore, localAfter, ms),
    });
    console.log(report);
    mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
    writeFileSync(join(process.cwd(), 'bench', 'results', 'gateway.md'), report + '\n');
  } finally {
    await admin.disconnect();
    for (const r of relays) await r.running.close();
    await plain.close();
    await secure.close();
    await stopCluster(spec, { graceMs: 5000 });
  }
}

await main();
process.exit(0);
