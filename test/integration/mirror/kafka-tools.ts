/**
 * Apache Kafka's own CLI tools (kafka-topics, kafka-configs, kafka-acls) as the mirror tests use them
 * to change and inspect clusters, and MM2's RemoteClusterUtils: clients no one here wrote, so what
 * they show is what Kafka holds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaLibs } from '../../../deploy/kafka/runtime.js';
import { kafkaTool, type RunResult } from '../../harness/index.js';
import { distRoot, tmp } from './helpers.js';

type Tool = Parameters<typeof kafkaTool>[0];

/** Runs a tool and fails with its output unless it exits 0. */
export async function tool(name: Tool, args: string[]): Promise<RunResult> {
  const r = await kafkaTool(name, args, { timeoutMs: 60_000 });
  if (r.code !== 0)
    throw new Error(`kafka-${name} ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** A topic's dynamic (topic-level) configuration, as `kafka-configs --describe` lists it. */
export async function dynamicTopicConfig(bootstrap: string, topic: string): Promise<Map<string, string>> {
  const r = await tool('configs', [
    '--bootstrap-server',
    bootstrap,
    '--describe',
    '--entity-type',
    'topics',
    '--entity-name',
    topic,
  ]);
  // "Dynamic configs for topic t are:" then one "  name=value sensitive=false synonyms={…}" per entry.
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^\s+([\w.]+)=(.*?) sensitive=(true|false) synonyms=/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

export interface ListedAcl {
  principal: string;
  host: string;
  operation: string;
  permissionType: string;
}

/** The ACLs of one LITERAL topic, as `kafka-acls --list` prints them, sorted for comparison. */
export async function topicAcls(
  bootstrap: string,
  topic: string,
  extra: string[] = [],
): Promise<ListedAcl[]> {
  const r = await tool('acls', [
    '--bootstrap-server',
    bootstrap,
    ...extra,
    '--list',
    '--topic',
    topic,
    '--resource-pattern-type',
    'literal',
  ]);
  const out: ListedAcl[] = [];
  // (principal=User:alice, host=*, operation=READ, permissionType=ALLOW)
  const re = /\(principal=([^,]+), host=([^,]+), operation=([A-Z_]+), permissionType=([A-Z]+)\)/g;
  for (let m = re.exec(r.stdout); m; m = re.exec(r.stdout))
    out.push({ principal: m[1]!, host: m[2]!, operation: m[3]!, permissionType: m[4]! });
  return out.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Runs `fn`; if it throws, the error also carries the last lines the mirror logged (the likely cause). */
export async function explainedBy<T>(output: () => string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const tail = output().trimEnd().split('\n').slice(-30).join('\n');
    if (err instanceof Error) err.message += `\n--- last mirror log lines ---\n${tail}`;
    throw err;
  }
}

let mm2CheckClasses: string | undefined;

/**
 * Apache Kafka's RemoteClusterUtils.translateOffsets (connect-mirror-client), run on `bootstrap` for
 * the checkpoints of `remoteAlias`: group → "topic:partition" → translated offset (test/java/mirror/
 * Mm2Check.java, compiled once per test process).
 */
export function remoteClusterUtilsOffsets(
  bootstrap: string,
  remoteAlias: string,
  groups: readonly string[],
): Map<string, Map<string, number>> {
  const libs = `${kafkaLibs()}/*`;
  if (mm2CheckClasses === undefined) {
    const classes = join(tmp, 'java');
    mkdirSync(classes, { recursive: true });
    execFileSync('javac', ['-cp', libs, '-d', classes, join(distRoot, '../test/java/mirror/Mm2Check.java')]);
    mm2CheckClasses = classes;
  }
  const r = spawnSync(
    'java',
    ['-Xmx128m', '-cp', `${libs}:${mm2CheckClasses}`, 'Mm2Check', bootstrap, remoteAlias, groups.join(',')],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (r.status !== 0) throw new Error(`Mm2Check exited ${r.status}: ${r.stderr}`);
  const out = new Map<string, Map<string, number>>(groups.map((g) => [g, new Map()]));
  for (const line of r.stdout.split('\n')) {
    const m = /^checkpoint (\S+) (\S+) (\d+) (-?\d+)$/.exec(line);
    if (m) out.get(m[1]!)?.set(`${m[2]}:${m[3]}`, Number(m[4]));
  }
  return out;
}
