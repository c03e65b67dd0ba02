/**
 * `kgw start` (what `npm start` runs): the local two-data-centre stack. For now: the clusters east
 * and west, with how to connect to them. Runs in the foreground; Ctrl-C stops the clusters.
 */
import type { Command } from 'commander';
import { clusterSpec } from '../deploy/kafka/cluster-config.js';
import { startCluster, stopCluster, type ClusterHandle } from '../deploy/kafka/cluster.js';
import { kafkaLibs } from '../deploy/kafka/runtime.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('bring up the local two-DC stack (clusters east and west) and print how to connect')
    .option('--detach', 'leave the clusters running and exit (stop them with: kgw kafka down)')
    .action(async (o: { detach?: boolean }) => {
      const specs = [clusterSpec('east'), clusterSpec('west')];
      const handles: ClusterHandle[] = [];
      for (const spec of specs) {
        handles.push(await startCluster(spec, { log: (l) => console.error(`[kafka] ${l}`) }));
      }
      console.log(connectionHelp(handles));
      if (o.detach) return;
      console.log('Running. Press Ctrl-C to stop the clusters.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      console.error('\n[kafka] stopping east and west');
      await Promise.all(specs.map((s) => stopCluster(s)));
    });
}

function connectionHelp(handles: ClusterHandle[]): string {
  const east = handles[0]!.bootstrap;
  const lines = ['', 'Local Kafka clusters (KRaft, plaintext on loopback):'];
  for (const h of handles) lines.push(`  ${h.spec.name.padEnd(5)} bootstrap.servers=${h.bootstrap}`);
  lines.push(
    '',
    'Connect with:',
    `  kcat:     kcat -b ${east} -L`,
    `  kafkajs:  new Kafka({ brokers: ['${east}'] })`,
    `  Java:     java -cp '${kafkaLibs()}/*' org.apache.kafka.tools.ConsoleProducer --bootstrap-server ${east} --topic demo`,
    '',
  );
  return lines.join('\n');
}
