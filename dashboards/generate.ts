// Writes the generated dashboards, alert rules and docs/metrics.md.
//
//   node dist/dashboards/generate.js           write every generated file
//   node dist/dashboards/generate.js --check   write nothing; exit 1 naming each file that differs

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderAll, repoRoot } from './outputs.js';

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const root = repoRoot();
  const stale: string[] = [];
  for (const [relative, content] of renderAll()) {
    const path = join(root, relative);
    if (readOrNull(path) === content) continue;
    if (check) {
      stale.push(relative);
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      console.log(`wrote ${relative}`);
    }
  }
  if (stale.length > 0) {
    for (const relative of stale) console.error(`out of date: ${relative}`);
    console.error('run `npm run build && node dist/dashboards/generate.js` and commit the result');
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
