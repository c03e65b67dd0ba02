// Locates the kafka-clients jar and reads the message definitions (common/message/*.json) out of it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const KAFKA_VERSION = '4.3.1';

export function kafkaLibsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KGW_KAFKA_LIBS) return env.KGW_KAFKA_LIBS;
  const home = env.KGW_HOME ?? join(homedir(), '.cache', 'kgw');
  return join(home, `kafka-${KAFKA_VERSION}`, 'libs');
}

export function findClientsJar(libs: string): string {
  if (!existsSync(libs))
    throw new Error(`Kafka libs directory not found: ${libs} (set KGW_KAFKA_LIBS or KGW_HOME)`);
  const jar = readdirSync(libs).find((f) => /^kafka-clients-[\d.]+\.jar$/.test(f));
  if (!jar) throw new Error(`no kafka-clients-*.jar in ${libs}`);
  return join(libs, jar);
}

/** Returns file name → JSON text (still with its // comments) for every common/message/*.json. */
export function readMessageDefinitions(jar: string): Map<string, string> {
  const list = execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\n')
    .filter((p) => /^common\/message\/[A-Za-z0-9]+\.json$/.test(p))
    .sort();
  const out = new Map<string, string>();
  for (const p of list) {
    const text = execFileSync('unzip', ['-p', jar, p], { encoding: 'utf8', maxBuffer: 64 << 20 });
    out.set(p.slice('common/message/'.length), text);
  }
  return out;
}
