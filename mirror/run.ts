/** Loads a configuration, starts every connector, and stops cleanly on SIGINT/SIGTERM. */
import { loadMirrorConfig } from './config/config.js';
import { startTracing } from '../observability/tracing.js';
import { Mirror } from './runtime.js';

export async function runMirror(configPath: string): Promise<Mirror> {
  const config = loadMirrorConfig(configPath);
  // Off unless OTEL_* variables ask for traces; then each replicated record continues its trace.
  const tracing = await startTracing('kgw-mirror');
  const mirror = new Mirror(config);
  await mirror.start();
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      mirror.log.info({ signal }, 'stopping');
      // Clients retrying against an unreachable cluster can hold stop() up; do not hang on it.
      setTimeout(() => process.exit(1), 10_000).unref();
      void mirror
        .stop()
        .then(() => tracing.shutdown())
        .finally(() => process.exit(0));
    });
  }
  return mirror;
}
