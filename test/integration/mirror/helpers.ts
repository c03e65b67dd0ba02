/** Shared pieces of the mirror integration tests: a mirror child process, configs, readers. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { clusterBootstrap, kafkaTool, kcat } from '../../harness/index.js';

const { Kafka, logLevel } = kafkajs;
export const distRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const EAST = (): string => clusterBootstrap('east');
export const WEST = (): string => clusterBootstrap('west');

export function kafka(bootstrap: string): InstanceType<typeof Kafka> {
  return new Kafka({ clientId: 'mirror-test', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
}

export const tmp = mkdtempSync(join(tmpdir(), 'kgw-mirror-it-'));

/** An mm2.properties for east and west with fast intervals, limited to `topics` and `groups`. */
export function mm2Properties(extra: Record<string, string>): string {
  const lines: Record<string, string> = {
    clusters: 'east, west',
    'east.bootstrap.servers': EAST(),
    'west.bootstrap.servers': WEST(),
    'replication.factor': '1',
    'checkpoints.topic.replication.factor': '1',
    'heartbeats.topic.replication.factor': '1',
    'offset-syncs.topic.replication.factor': '1',
    'refresh.topics.interval.seconds': '1',
    'refresh.groups.interval.seconds': '1',
    'emit.checkpoints.interval.seconds': '1',
    'emit.heartbeats.interval.seconds': '1',
    'sync.topic.configs.interval.seconds': '2',
    'kgw.positions.commit.interval.ms': '200',
    'kgw.fetch.max.wait.ms': '100',
    'kgw.rest.port': '0',
    ...extra,
  };
  return Object.entries(lines)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
}

export function writeConfig(name: string, text: string): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

export interface MirrorProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
  rest(method: string, path: string): Promise<{ status: number; body: unknown }>;
}

const children = new Set<ChildProcess>();
/** Kills every mirror this test file started (use in `after`), so a failed test leaves none running. */
export function killAllMirrors(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}
process.once('exit', killAllMirrors);

export async function startMirror(configFile: string): Promise<MirrorProcess> {
  const child = spawn(process.execPath, [join(distRoot, 'cli/kgw.js'), 'mirror', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mirror did not start:\n${out}`));
    }, 30_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /"port":(\d+),"msg":"REST API and \/metrics listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`mirror exited ${code}:\n${out}`)));
  });
  return {
    child,
    port,
    output: () => out,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
    async rest(method, path) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    },
  };
}

export interface ReadRecord {
  partition: number;
  offset: number;
  key: string;
  value: string;
  headers: string;
}

/** Reads a whole topic with kcat (librdkafka: a client we did not write). */
export async function readAll(bootstrap: string, topic: string): Promise<ReadRecord[]> {
  const r = await kcat(
    ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p\t%o\t%k\t%s\t%h\n'],
    {
      timeoutMs: 60_000,
    },
  );
  if (r.code !== 0) throw new Error(`kcat failed (${r.code}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [p, o, k, v, h] = l.split('\t');
      return { partition: Number(p), offset: Number(o), key: k ?? '', value: v ?? '', headers: h ?? '' };
    });
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function topicExists(bootstrap: string, topic: string): Promise<boolean> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

export async function endOffsets(bootstrap: string, topic: string): Promise<Map<number, number>> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

export async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Produces `count` records `prefix-<i>` with keys k<i % 7>, headers seq=i. */
export async function produceNumbered(
  bootstrap: string,
  topic: string,
  prefix: string,
  count: number,
  from = 0,
): Promise<void> {
  const producer = kafka(bootstrap).producer({ idempotent: true });
  await producer.connect();
  try {
    for (let start = from; start < from + count; start += 500) {
      const n = Math.min(500, from + count - start);
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: n }, (_, j) => ({
          key: `k${(start + j) % 7}`,
          value: `${prefix}-${start + j}`,
          headers: { seq: String(start + j) },
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Kafka's console consumer, read_committed, from the beginning until 10 s pass without a record. */
export async function readCommitted(bootstrap: string, topic: string, expected: number): Promise<string[]> {
  const r = await kafkaTool(
    'console-consumer',
    [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--timeout-ms',
      '10000',
    ],
    { timeoutMs: 180_000 },
  );
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.ok(lines.length >= expected || r.code === 0, `console consumer failed (${r.code}): ${r.stderr}`);
  return lines;
}

/** Counts `n-<i>` values: duplicates, and the numbers below `total` never seen. */
export function tally(
  values: string[],
  total: number,
): { duplicates: number; missing: number[]; distinct: number } {
  const seen = new Map<number, number>();
  for (const v of values) {
    const n = Number(v.slice(2));
    seen.set(n, (seen.get(n) ?? 0) + 1);
  }
  const missing: number[] = [];
  for (let i = 0; i < total; i++) if (!seen.has(i)) missing.push(i);
  return { duplicates: values.length - seen.size, missing, distinct: seen.size };
}
