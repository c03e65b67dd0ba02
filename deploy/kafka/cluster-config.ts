/**
 * Named local KRaft clusters on loopback: their ports and the broker configuration we render.
 * Every node runs broker and controller in one JVM ("combined mode") so a three-node cluster costs
 * three JVMs, not six.
 */
import { randomBytes } from 'node:crypto';

export interface ClusterSpec {
  name: string;
  /** Number of nodes; each is broker and KRaft controller. 1 or 3 in practice. */
  nodes: number;
  /** Client listener of node 1; node n listens on basePort + n - 1, its controller on basePort + 100 + n - 1. */
  basePort: number;
  heapMb: number;
  /** Extra broker properties, applied last (they win). */
  overrides: Record<string, string>;
  /** Extra `kafka-storage format` arguments, e.g. --add-scram for SCRAM users that exist from the start. */
  formatArgs: string[];
}

/**
 * The clusters the README and tests use. Any other name needs an explicit --port. Every port we
 * listen on for Kafka stays below Linux's ephemeral range (32768-60999): a client polling a port in
 * that range before the broker listens can be given that very port as its source and connect to
 * itself, and the broker then cannot bind.
 */
export const PRESETS: Record<string, Pick<ClusterSpec, 'nodes' | 'basePort'>> = {
  east: { nodes: 1, basePort: 19092 },
  west: { nodes: 1, basePort: 29092 },
  triple: { nodes: 3, basePort: 31092 },
};

/**
 * KGW_PORT_OFFSET shifts every preset's ports, so two test runs on one machine (each with its own
 * KGW_HOME for cluster state) do not collide.
 */
export function presetPortOffset(): number {
  const raw = process.env.KGW_PORT_OFFSET;
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 20000)
    throw new Error(`KGW_PORT_OFFSET must be an integer 0-20000, got "${raw}"`);
  return n;
}

export function clusterSpec(name: string, opts: Partial<Omit<ClusterSpec, 'name'>> = {}): ClusterSpec {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(name)) {
    throw new Error(
      `invalid cluster name "${name}": use lower-case letters, digits and '-', starting with a letter`,
    );
  }
  const preset = PRESETS[name];
  const basePort = opts.basePort ?? (preset ? preset.basePort + presetPortOffset() : undefined);
  if (basePort === undefined) {
    throw new Error(
      `cluster "${name}" is not one of ${Object.keys(PRESETS).join(', ')}: give it a port (--port)`,
    );
  }
  return {
    name,
    nodes: opts.nodes ?? preset?.nodes ?? 1,
    basePort,
    heapMb: opts.heapMb ?? 512,
    overrides: opts.overrides ?? {},
    formatArgs: opts.formatArgs ?? [],
  };
}

export const brokerPort = (spec: ClusterSpec, nodeId: number): number => spec.basePort + nodeId - 1;
export const controllerPort = (spec: ClusterSpec, nodeId: number): number => spec.basePort + 100 + nodeId - 1;

export function bootstrapServers(spec: ClusterSpec): string {
  return nodeIds(spec)
    .map((id) => `127.0.0.1:${brokerPort(spec, id)}`)
    .join(',');
}

export const nodeIds = (spec: ClusterSpec): number[] => Array.from({ length: spec.nodes }, (_, i) => i + 1);

/** A KRaft cluster id: 16 random bytes, base64url without padding, as Kafka's Uuid prints it. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // Kafka's own generator avoids ids that look like CLI flags
  }
}

export function serverProperties(spec: ClusterSpec, nodeId: number, dataDir: string): string {
  const rf = Math.min(3, spec.nodes);
  const voters = nodeIds(spec)
    .map((id) => `${id}@127.0.0.1:${controllerPort(spec, id)}`)
    .join(',');
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(nodeId),
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://127.0.0.1:${brokerPort(spec, nodeId)},CONTROLLER://127.0.0.1:${controllerPort(spec, nodeId)}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${brokerPort(spec, nodeId)}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': '1',
    'default.replication.factor': String(rf),
    'offsets.topic.replication.factor': String(rf),
    'offsets.topic.num.partitions': '8',
    'transaction.state.log.replication.factor': String(rf),
    'transaction.state.log.min.isr': String(Math.min(2, rf)),
    'transaction.state.log.num.partitions': '4',
    'share.coordinator.state.topic.replication.factor': String(rf),
    'share.coordinator.state.topic.min.isr': String(Math.min(2, rf)),
    // Local clusters: rebalance at once and keep few threads, so tests are quick on 2 cores.
    'group.initial.rebalance.delay.ms': '0',
    'num.network.threads': '2',
    'num.io.threads': '4',
    'num.recovery.threads.per.data.dir': '1',
    'log.segment.bytes': String(64 * 1024 * 1024),
    'auto.create.topics.enable': 'true',
    ...spec.overrides,
  };
  return (
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n'
  );
}

export const BROKER_LOG4J2 = [
  'status = error',
  'appender.out.type = Console',
  'appender.out.name = STDOUT',
  'appender.out.layout.type = PatternLayout',
  'appender.out.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = INFO',
  'rootLogger.appenderRef.out.ref = STDOUT',
  // The request and state-change loggers are very chatty at INFO.
  'logger.state.name = state.change.logger',
  'logger.state.level = WARN',
  'logger.request.name = kafka.request.logger',
  'logger.request.level = WARN',
  '',
].join('\n');

export const BROKER_LOG4J1 =
  'log4j.rootLogger=INFO, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\n' +
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n' +
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n' +
  'log4j.logger.state.change.logger=WARN\nlog4j.logger.kafka.request.logger=WARN\n';
