// Entry point: `node dist/protocol/generator/main.js [--check]`.
// Reads Kafka's message definitions from the kafka-clients jar and (re)writes protocol/generated/.
// With --check it only compares and exits 1 naming every file that differs.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitAll } from './emit.js';
import { KAFKA_VERSION, findClientsJar, kafkaLibsDir, readMessageDefinitions } from './jar.js';
import { parseMessage } from './schema.js';

/** protocol/generated in the source tree (this file runs from dist/protocol/generator/). */
function generatedDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = resolve(here, '..', '..', '..');
  return join(root, 'protocol', 'generated');
}

export function generate(): Map<string, string> {
  const jar = findClientsJar(kafkaLibsDir());
  const defs = readMessageDefinitions(jar);
  if (defs.size === 0) throw new Error(`no common/message/*.json in ${jar}`);
  const messages = [...defs.entries()].map(([file, text]) => parseMessage(file, text));
  return emitAll(messages, KAFKA_VERSION);
}

function listFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else out.push(relative(base, p));
  }
  return out.sort();
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const dir = generatedDir();
  const files = generate();
  const existing = new Set(listFiles(dir));
  const differing: string[] = [];
  for (const [rel, text] of files) {
    const p = join(dir, rel);
    const same = existing.has(rel) && readFileSync(p, 'utf8') === text;
    existing.delete(rel);
    if (same) continue;
    differing.push(rel);
    if (!check) {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
  }
  for (const stale of existing) {
    differing.push(`${stale} (stale: no longer generated)`);
    if (!check) rmSync(join(dir, stale));
  }
  if (check) {
    if (differing.length > 0) {
      console.error(`protocol/generated is out of date; these files differ from the generator's output:`);
      for (const d of differing) console.error(`  protocol/generated/${d}`);
      console.error(`Run: npm run build && node dist/protocol/generator/main.js`);
      return 1;
    }
    console.log(`protocol/generated is up to date (${files.size} files).`);
    return 0;
  }
  console.log(`wrote ${differing.length} of ${files.size} files under protocol/generated/`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
