/**
 * Where the fetched Kafka jars live and how to launch a JVM from them. Everything that starts a
 * Kafka process (brokers, CLI tools, MirrorMaker 2) goes through `javaCommand` so heap sizes and
 * logging are set in one place.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_KAFKA_VERSION = '4.3.1';

export function kgwHome(): string {
  return process.env.KGW_HOME ?? join(homedir(), '.cache', 'kgw');
}

export function kafkaVersion(): string {
  return process.env.KGW_KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;
}

/** Directory holding every jar of the selected Kafka release. */
export function kafkaLibs(version = kafkaVersion()): string {
  return process.env.KGW_KAFKA_LIBS ?? join(kgwHome(), `kafka-${version}`, 'libs');
}

export class KafkaNotFetchedError extends Error {
  constructor(dir: string) {
    super(`Apache Kafka jars not found in ${dir}; run: npm run setup (or bash deploy/kafka/fetch.sh)`);
    this.name = 'KafkaNotFetchedError';
  }
}

export function assertKafkaFetched(version = kafkaVersion()): string {
  const dir = kafkaLibs(version);
  if (!existsSync(join(dir, `kafka-clients-${version}.jar`))) throw new KafkaNotFetchedError(dir);
  return dir;
}

export interface JvmOptions {
  /** Maximum heap in MiB. Brokers get 512 by default, tools 256: three brokers must fit on 2 cores. */
  heapMb: number;
  /** Tools are short-lived: C1 only and a serial GC start noticeably faster. */
  fastStart?: boolean;
  log4jConfig?: string;
  extra?: string[];
}

export function javaCommand(
  mainClass: string,
  args: string[],
  opts: JvmOptions,
): { cmd: string; args: string[] } {
  const jvm = [
    `-Xmx${opts.heapMb}m`,
    `-Xms${Math.min(128, opts.heapMb)}m`,
    '-Djava.awt.headless=true',
    '-XX:+ExitOnOutOfMemoryError',
  ];
  if (opts.fastStart) jvm.push('-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto');
  else jvm.push('-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20');
  if (opts.log4jConfig) {
    // Kafka 4.x logs through log4j2; 3.9 through reload4j (log4j 1 syntax). Both read their own property.
    jvm.push(
      `-Dlog4j2.configurationFile=${opts.log4jConfig}`,
      `-Dlog4j.configuration=file:${opts.log4jConfig}.v1`,
    );
  }
  jvm.push(...(opts.extra ?? []));
  return { cmd: 'java', args: [...jvm, '-cp', `${assertKafkaFetched()}/*`, mainClass, ...args] };
}
