/**
 * `kgw monitor --config <file.yaml>`: consumer lag in records and seconds, Burrow-style status,
 * end-to-end probes and replication lag, served on /metrics (Prometheus), /healthz and Burrow's
 * /v3 API. Runs in the foreground until SIGINT/SIGTERM. See docs/monitor.md.
 */
import type { Command } from 'commander';
import { loadMonitorConfig } from '../monitor/config.js';
import { Monitor } from '../monitor/monitor.js';
import { startTracing } from '../observability/tracing.js';
import { createLogger } from '../observability/logger.js';
import { runService } from './support/lifecycle.js';

export function registerMonitorCommand(program: Command): void {
  program
    .command('monitor')
    .description('collect consumer lag, evaluate Burrow-style status, run probes; serve /metrics and /v3')
    .requiredOption('-c, --config <file>', 'monitor configuration (YAML, see docs/monitor.md)')
    .option('--check', 'validate the configuration and exit')
    .action(async (o: { config: string; check?: boolean }) => {
      const config = loadMonitorConfig(o.config);
      if (o.check) {
        console.log(
          `${o.config}: OK (${config.clusters.length} clusters, ${config.mirrors.length} mirror flows)`,
        );
        return;
      }
      const log = createLogger({ name: 'kgw-monitor' });
      await runService({
        name: 'monitor',
        log,
        async start() {
          const tracing = await startTracing('kgw-monitor');
          const monitor = new Monitor(config, { info: (m) => log.info(m), warn: (m) => log.warn(m) });
          await monitor.start();
          return {
            async stop() {
              await monitor.stop();
              await tracing.shutdown();
            },
          };
        },
      });
    });
}
