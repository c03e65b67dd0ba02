/**
 * The layer rule in eslint.config.js refuses imports that point up or sideways, and `npm run lint`
 * fails on them. Deliberately wrong sources are linted in memory through ESLint's Node API with the
 * project's own configuration, under the paths of real files (the type-aware rules need a file the
 * TypeScript project knows); only the layer rule's reports are looked at.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The specifiers the layer rule reported for `source` linted as if it were `filePath`. */
async function refused(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${root}${filePath}` });
  assert.ok(result, 'ESLint returned no result');
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => source.split('\n')[m.line - 1] ?? '');
}

describe('the layer rule', () => {
  test('a product importing another product is refused: gateway/ → monitor/, mirror/ → gateway/', async () => {
    const gateway = `import { startMonitor } from '../monitor/monitor.js';\nexport const x = startMonitor;\n`;
    assert.deepEqual(await refused('gateway/gateway.ts', gateway), [gateway.split('\n')[0]]);
    const mirror = `import { startGateway } from '../gateway/gateway.js';\nexport const x = startGateway;\n`;
    assert.deepEqual(await refused('mirror/runtime.ts', mirror), [mirror.split('\n')[0]]);
    // deeper in the folder, and as a type-only import
    const deep = `import type { MonitorConfig } from '../../monitor/config.js';\nexport type X = MonitorConfig;\n`;
    assert.deepEqual(await refused('gateway/authz/index.ts', deep), [deep.split('\n')[0]]);
  });

  test('the codec importing the client above it is refused: protocol/ → client/', async () => {
    const source = `import { ClusterClient } from '../client/cluster.js';\nexport const x = ClusterClient;\n`;
    assert.deepEqual(await refused('protocol/frames.ts', source), [source.split('\n')[0]]);
    const reExport = `export { NativeFetcher } from '../../client/fetcher.js';\n`;
    assert.deepEqual(await refused('protocol/records/batch.ts', reExport), [reExport.split('\n')[0]]);
  });

  test('imports down the layers, and a folder of the same name inside a product, are allowed', async () => {
    const source = [
      `import { ClusterClient } from '../../client/cluster.js';`,
      `import { decodeRequest } from '../../protocol/index.js';`,
      `import { loadGatewayConfig } from '../config/load.js';`, // gateway/config/, not the config layer
      `export const x = [ClusterClient, decodeRequest, loadGatewayConfig];`,
      '',
    ].join('\n');
    assert.deepEqual(await refused('gateway/authz/index.ts', source), []);
  });
});
