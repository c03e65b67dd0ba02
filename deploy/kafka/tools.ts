/**
 * Runs Apache Kafka's own CLI tools from the fetched jars (`java -cp … <MainClass>`), and kcat from
 * Debian's packages. These are the real clients no one on this project wrote: tests drive them.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { javaCommand, kafkaVersion, kgwHome } from './runtime.js';

/** The `kafka-*.sh` script names (without prefix/suffix) and the class each one runs. */
export const KAFKA_TOOLS = {
  topics: 'org.apache.kafka.tools.TopicCommand',
  'console-producer': 'org.apache.kafka.tools.ConsoleProducer',
  'console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  'consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  configs: 'kafka.admin.ConfigCommand',
  acls: 'org.apache.kafka.tools.AclCommand',
  'producer-perf-test': 'org.apache.kafka.tools.ProducerPerformance',
  'consumer-perf-test': 'org.apache.kafka.tools.ConsumerPerformance',
  'get-offsets': 'org.apache.kafka.tools.GetOffsetShell',
  transactions: 'org.apache.kafka.tools.TransactionsCommand',
  'metadata-quorum': 'org.apache.kafka.tools.MetadataQuorumCommand',
  'mirror-maker': 'org.apache.kafka.connect.mirror.MirrorMaker',
  storage: 'kafka.tools.StorageTool',
  server: 'kafka.Kafka',
} as const;

export type KafkaTool = keyof typeof KAFKA_TOOLS;

/** Tools that Kafka 3.x still ships under their old Scala class names (moved to kafka-tools in 4.0). */
const KAFKA_3_TOOLS: Partial<Record<KafkaTool, string>> = {
  'console-producer': 'kafka.tools.ConsoleProducer',
  acls: 'kafka.admin.AclCommand',
};

/** The main class of a tool in the selected Kafka release. */
export function toolMainClass(tool: KafkaTool, version = kafkaVersion()): string {
  return (version.startsWith('3.') ? KAFKA_3_TOOLS[tool] : undefined) ?? KAFKA_TOOLS[tool];
}

export interface RunOptions {
  /** Written to the tool's stdin, which is then closed. */
  input?: string;
  /** Kill the process (SIGKILL) after this long; the result then has `timedOut: true`. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  heapMb?: number;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** log4j configs that send tool logging (WARN and above) to stderr, keeping stdout for data. */
export function toolLog4jConfig(): string {
  const dir = join(kgwHome(), 'log4j');
  const file = join(dir, 'tools-log4j2.properties');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      file,
      [
        'status = error',
        'appender.err.type = Console',
        'appender.err.name = STDERR',
        'appender.err.target = SYSTEM_ERR',
        'appender.err.layout.type = PatternLayout',
        'appender.err.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = WARN',
        'rootLogger.appenderRef.err.ref = STDERR',
        '',
      ].join('\n'),
    );
    writeFileSync(
      `${file}.v1`,
      'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\n' +
        'log4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n' +
        'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
    );
  }
  return file;
}

export function runProcess(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => undefined); // the tool may exit before reading all input
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs `kafka-<tool>.sh args…` from the fetched jars. */
export function runKafkaTool(tool: KafkaTool, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const { cmd, args: full } = javaCommand(toolMainClass(tool), args, {
    heapMb: opts.heapMb ?? 256,
    fastStart: !tool.endsWith('perf-test'),
    log4jConfig: toolLog4jConfig(),
  });
  return runProcess(cmd, full, opts);
}

/** Runs kcat (Debian package `kcat`, installed by deploy/setup.sh). */
export function runKcat(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess('kcat', args, opts);
}
