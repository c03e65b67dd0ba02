// Entry point: `node dist/protocol/generator/main.js [--check]`.
// Reads Kafka's message definitions from the kafka-clients jar (KGW_KAFKA_LIBS, else
// ${KGW_HOME:-~/.cache/kgw}/kafka-4.3.1/libs) and (re)writes protocol/generated/.
// With --check it writes nothing and exits 1 naming every file that differs.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { diffAgainst, generate, generatedDir } from './generate.js';

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const dir = generatedDir();
  let files: Map<string, string>;
  try {
    files = generate();
  } catch (e) {
    console.error(`protocol generator: ${(e as Error).message}`);
    return 2;
  }
  const { changed, stale } = diffAgainst(dir, files);
  if (check) {
    if (changed.length + stale.length > 0) {
      console.error(`protocol/generated is out of date; these files differ from the generator's output:`);
      for (const d of changed) console.error(`  protocol/generated/${d}`);
      for (const d of stale) console.error(`  protocol/generated/${d} (stale: no longer generated)`);
      console.error(`Run: npm run build && node dist/protocol/generator/main.js`);
      return 1;
    }
    console.log(`protocol/generated is up to date (${files.size} files).`);
    return 0;
  }
  for (const rel of changed) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, files.get(rel)!);
  }
  for (const rel of stale) rmSync(join(dir, rel));
  console.log(
    `wrote ${changed.length} and removed ${stale.length} of ${files.size} files under protocol/generated/`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
