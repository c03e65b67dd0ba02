/** `kgw mirror --config <file>`: MirrorMaker-2-compatible replication (mm2.properties or YAML). */
import type { Command } from 'commander';
import { loadMirrorConfig } from '../mirror/config/config.js';
import { Mirror } from '../mirror/runtime.js';
import { startTracing } from '../observability/tracing.js';
import { createLogger } from '../observability/logger.js';
import { UsageError } from './support/errors.js';
import { runService } from './support/lifecycle.js';

export function registerMirrorCommand(program: Command): void {
  program
    .command('mirror')
    .description('replicate topics between clusters like MirrorMaker 2 (mm2.properties or YAML config)')
    // Not a required option: `kgw mirror status` is a sub-command that does not take it.
    .option('-c, --config <file>', 'mm2.properties or .yaml/.yml configuration file')
    .option('--check', 'only validate the configuration and print the flows')
    .action(async (opts: { config?: string; check?: boolean }) => {
      if (opts.config === undefined)
        throw new UsageError("required option '-c, --config <file>' not specified (or: kgw mirror status)");
      if (opts.check) {
        const config = loadMirrorConfig(opts.config);
        for (const w of config.warnings) console.error(`warning: ${w}`);
        for (const f of config.flows)
          console.log(`${f.name}: ${f.enabled ? 'enabled' : 'disabled'} (${f.policy} policy)`);
        return;
      }
      const config = loadMirrorConfig(opts.config);
      const log = createLogger({ name: 'kgw-mirror' });
      await runService({
        name: 'mirror',
        log,
        async start() {
          // Off unless OTEL_* variables ask for traces; then each replicated record continues its trace.
          const tracing = await startTracing('kgw-mirror');
          const mirror = new Mirror(config, log);
          await mirror.start();
          return {
            async stop() {
              await mirror.stop();
              await tracing.shutdown();
            },
          };
        },
      });
    });
}
