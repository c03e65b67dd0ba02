import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderAll, repoRoot } from '../../../dashboards/outputs.js';

const root = repoRoot();

describe('generated dashboards, alert rules and docs/metrics.md', () => {
  it('match what is committed', () => {
    const stale: string[] = [];
    for (const [relative, content] of renderAll()) {
      let committed: string | null = null;
      try {
        committed = readFileSync(join(root, relative), 'utf8');
      } catch {
        // missing counts as stale
      }
      if (committed !== content) stale.push(relative);
    }
    assert.deepEqual(stale, [], 'run `node dist/dashboards/generate.js` and commit the result');
  });

  it('generate.js --check exits 0 when current', () => {
    const script = fileURLToPath(new URL('../../../dashboards/generate.js', import.meta.url));
    const result = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });
});
