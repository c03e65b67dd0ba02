/**
 * Standalone entry point: `node dist/mirror/main.js <config>`. Used by the integration tests and the
 * benchmark (which kill -9 it); `kgw mirror --config <file>` does the same from the CLI.
 * Exits 2 with the configuration error on stderr when the file is invalid.
 */
import { MirrorConfigError } from './config/config.js';
import { runMirror } from './run.js';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node dist/mirror/main.js <mm2.properties | mirror.yaml>');
  process.exit(2);
}
try {
  await runMirror(file);
} catch (err) {
  console.error(`kgw mirror: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(err instanceof MirrorConfigError ? 2 : 1);
}
