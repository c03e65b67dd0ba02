/** `kgw mirror --config <file>`: MirrorMaker-2-compatible replication (mm2.properties or YAML). */
import type { Command } from 'commander';
import { loadMirrorConfig } from '../mirror/config/config.js';
import { runMirror } from '../mirror/run.js';

export { runMirror };

export function registerMirrorCommand(program: Command): void {
  program
    .command('mirror')
    .description('replicate topics between clusters like MirrorMaker 2 (mm2.properties or YAML config)')
    .requiredOption('-c, --config <file>', 'mm2.properties or .yaml/.yml configuration file')
    .option('--check', 'only validate the configuration and print the flows')
    .action(async (opts: { config: string; check?: boolean }) => {
      if (opts.check) {
        const config = loadMirrorConfig(opts.config);
        for (const w of config.warnings) console.error(`warning: ${w}`);
        for (const f of config.flows)
          console.log(`${f.name}: ${f.enabled ? 'enabled' : 'disabled'} (${f.policy} policy)`);
        return;
      }
      await runMirror(opts.config);
    });
}
