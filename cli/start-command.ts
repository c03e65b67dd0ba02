/**
 * `kgw start` (what `npm start` runs): the local two-data-centre stack in one foreground process —
 * Kafka clusters east and west, a TLS + SCRAM gateway in front of each, the mirror east <-> west and
 * the monitor — then prints how to connect. Ctrl-C stops everything. deploy/local-stack/README.md
 * lists the parts, ports and configuration files.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { clusterSpec } from '../deploy/kafka/cluster-config.js';
import { startCluster, stopCluster } from '../deploy/kafka/cluster.js';
import { kafkaLibs } from '../deploy/kafka/runtime.js';
import { tuneHeapForThroughput } from '../gateway/heap-tuning.js';
import { loadGatewayConfig } from '../gateway/config/load.js';
import { startGateway, type RunningGateway } from '../gateway/gateway.js';
import { loadMirrorConfig } from '../mirror/config/config.js';
import { Mirror } from '../mirror/runtime.js';
import { loadMonitorConfig } from '../monitor/config.js';
import { Monitor } from '../monitor/monitor.js';
import { createLogger } from '../observability/logger.js';
import { createDevPki } from '../security/pki/index.js';
import { runService } from './support/lifecycle.js';

const stackDir = fileURLToPath(new URL('../../deploy/local-stack/', import.meta.url));

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'run the local two-DC stack: clusters east and west, a gateway for each, the mirror and the monitor',
    )
    .option('--kafka-only', 'only the two Kafka clusters')
    .action(async (o: { kafkaOnly?: boolean }) => {
      // Standard output is for the person (how to connect); the parts log on standard error.
      const log = createLogger({ name: 'kgw-start', to: 'stderr' });
      await runService({
        name: 'local stack',
        log,
        // Two Kafka clusters shut down in order: give them more than a service's 10 s.
        stopDeadlineMs: 60_000,
        async start() {
          const specs = [clusterSpec('east'), clusterSpec('west')];
          for (const spec of specs) await startCluster(spec, { log: (l) => log.info(`[kafka] ${l}`) });
          const parts = o.kafkaOnly ? [] : await startServices(log);
          console.log(connectionHelp(!o.kafkaOnly));
          return {
            async stop() {
              for (const p of parts.reverse()) await p.stop().catch((e: Error) => log.error(e.message));
              await Promise.all(specs.map((s) => stopCluster(s)));
            },
          };
        },
      });
    });
}

async function startServices(log: Logger): Promise<{ stop(): Promise<void> }[]> {
  const certs = join(stackDir, 'certs');
  if (!existsSync(join(certs, 'ca.crt.pem'))) {
    log.info(`creating development certificates in ${certs}`);
    await createDevPki({
      dir: certs,
      serverNames: ['localhost', '127.0.0.1'],
      clients: [{ name: 'alice', subject: 'CN=alice' }],
    });
  }
  const parts: { stop(): Promise<void> }[] = [];
  tuneHeapForThroughput();
  for (const side of ['east', 'west']) {
    const gw: RunningGateway = await startGateway(
      loadGatewayConfig(join(stackDir, `gateway-${side}.yaml`)),
      log.child({ gateway: side }),
    );
    parts.push({ stop: () => gw.close() });
  }
  const mirror = new Mirror(loadMirrorConfig(join(stackDir, 'mirror.yaml')), log.child({ part: 'mirror' }));
  await mirror.start();
  parts.push({ stop: () => mirror.stop() });
  const monitor = new Monitor(loadMonitorConfig(join(stackDir, 'monitor.yaml')));
  await monitor.start();
  parts.push({ stop: () => monitor.stop() });
  return parts;
}

function connectionHelp(services: boolean): string {
  const lines = ['', 'Local two-data-centre stack is up.', ''];
  if (services) {
    lines.push(
      'Clients connect through the gateways (TLS + SASL/SCRAM-SHA-512; user admin / admin-secret):',
      '  east  localhost:9192        west  localhost:9292',
      `  CA certificate: ${join(stackDir, 'certs', 'ca.crt.pem')}`,
      `  Java:    security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, ssl.truststore.type=PKCS12,`,
      `           ssl.truststore.location=${join(stackDir, 'certs', 'truststore.p12')} (password in certs/store-password.txt)`,
      `  kcat:    kcat -b localhost:9192 -X security.protocol=SASL_SSL -X sasl.mechanisms=SCRAM-SHA-512 \\`,
      `             -X sasl.username=admin -X sasl.password=admin-secret -X ssl.ca.location=${join(stackDir, 'certs', 'ca.crt.pem')} -L`,
      `  kafkajs: new Kafka({ brokers: ['localhost:9192'], ssl: { ca: [caPem] }, sasl: { mechanism: 'scram-sha-512', username: 'admin', password: 'admin-secret' } })`,
      '',
      'Mirror east <-> west (same topic names): REST http://127.0.0.1:8083/connectors',
      'Monitor: http://127.0.0.1:9308/metrics, Burrow API http://127.0.0.1:9308/v3/kafka',
      'Gateway metrics: http://127.0.0.1:9404/metrics (east), :9405 (west)',
      '',
    );
  }
  lines.push(
    'Kafka itself (plaintext, loopback only): east 127.0.0.1:19092, west 127.0.0.1:29092',
    `  Java tools: java -cp '${kafkaLibs()}/*' org.apache.kafka.tools.ConsoleProducer --bootstrap-server 127.0.0.1:19092 --topic demo`,
    '',
    'Press Ctrl-C to stop everything.',
  );
  return lines.join('\n');
}
