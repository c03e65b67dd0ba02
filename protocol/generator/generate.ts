// Generation as a library: produce the files in memory and compare them with a directory.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitAll } from './emit.js';
import { KAFKA_VERSION, findClientsJar, kafkaLibsDir, readMessageDefinitions } from './jar.js';
import { parseMessage } from './schema.js';

/** protocol/generated in the source tree (this module runs from dist/protocol/generator/). */
export function generatedDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(resolve(here, '..', '..', '..'), 'protocol', 'generated');
}

/** Relative path → file text of everything the generator emits, from the kafka-clients jar. */
export function generate(env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const jar = findClientsJar(kafkaLibsDir(env));
  const defs = readMessageDefinitions(jar);
  if (defs.size === 0) throw new Error(`no common/message/*.json in ${jar}`);
  const messages = [...defs.entries()].map(([file, text]) => parseMessage(file, text));
  return emitAll(messages, KAFKA_VERSION);
}

export function listFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else out.push(relative(base, p));
  }
  return out.sort();
}

/** Files that differ from `files` (changed, missing) plus files in `dir` no longer generated. */
export function diffAgainst(dir: string, files: Map<string, string>): { changed: string[]; stale: string[] } {
  const existing = new Set(listFiles(dir));
  const changed: string[] = [];
  for (const [rel, text] of files) {
    const same = existing.has(rel) && readFileSync(join(dir, rel), 'utf8') === text;
    existing.delete(rel);
    if (!same) changed.push(rel);
  }
  return { changed, stale: [...existing] };
}
