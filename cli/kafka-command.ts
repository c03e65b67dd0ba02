/** `kgw kafka up|down|status|kill|restart`: local KRaft clusters for development and tests. */
import type { Command } from 'commander';
import { clusterSpec, type ClusterSpec } from '../deploy/kafka/cluster-config.js';
import {
  clusterSpecFromDisk,
  clusterStatus,
  killNode,
  restartNode,
  startCluster,
  stopCluster,
} from '../deploy/kafka/cluster.js';

interface UpOptions {
  nodes?: string;
  port?: string;
  heap?: string;
  fresh?: boolean;
}

const progress = (line: string): void => console.error(`[kafka] ${line}`);

function specFrom(name: string, o: UpOptions): ClusterSpec {
  return clusterSpec(name, {
    nodes: o.nodes === undefined ? undefined : positiveInt('--nodes', o.nodes),
    basePort: o.port === undefined ? undefined : positiveInt('--port', o.port),
    heapMb: o.heap === undefined ? undefined : positiveInt('--heap', o.heap),
  });
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

export function registerKafkaCommand(program: Command): void {
  const kafka = program.command('kafka').description('run local Apache Kafka (KRaft) clusters on loopback');

  kafka
    .command('up')
    .description('start clusters (default: east and west), formatting storage on first start')
    .argument('[names...]', 'cluster names: east, west, triple, or any name with --port')
    .option('--nodes <n>', 'nodes per cluster (each is broker and controller)')
    .option('--port <port>', 'client port of node 1 (node n uses port + n - 1)')
    .option('--heap <mb>', 'JVM heap per node in MiB', '512')
    .option('--fresh', 'delete existing data first')
    .action(async (names: string[], o: UpOptions) => {
      for (const name of names.length ? names : ['east', 'west']) {
        const h = await startCluster(specFrom(name, o), { fresh: o.fresh, log: progress });
        console.log(`${name}\t${h.bootstrap}`);
      }
    });

  kafka
    .command('down')
    .description('stop clusters (default: east and west)')
    .argument('[names...]')
    .action(async (names: string[]) => {
      for (const name of names.length ? names : ['east', 'west']) {
        progress(`stopping ${name}`);
        await stopCluster(clusterSpecFromDisk(name));
      }
    });

  kafka
    .command('status')
    .description('show which nodes of which clusters are running')
    .argument('[names...]')
    .action((names: string[]) => {
      for (const name of names.length ? names : ['east', 'west', 'triple']) {
        for (const n of clusterStatus(clusterSpecFromDisk(name))) {
          console.log(
            `${name}\tnode ${n.nodeId}\t127.0.0.1:${n.port}\t${n.running ? `running (pid ${n.pid})` : 'stopped'}`,
          );
        }
      }
    });

  kafka
    .command('kill')
    .description('kill -9 one node (fault injection)')
    .argument('<name>')
    .argument('<nodeId>')
    .action(async (name: string, nodeId: string) => {
      await killNode(clusterSpecFromDisk(name), positiveInt('nodeId', nodeId));
    });

  kafka
    .command('restart')
    .description('start a killed or stopped node again and wait until the cluster lists it')
    .argument('<name>')
    .argument('<nodeId>')
    .action(async (name: string, nodeId: string) => {
      await restartNode(clusterSpecFromDisk(name), positiveInt('nodeId', nodeId));
    });
}
