/**
 * `kgw monitor --config <file.yaml>`: consumer lag in records and seconds, Burrow-style status,
 * end-to-end probes and replication lag, served on /metrics (Prometheus), /healthz and Burrow's
 * /v3 API. Runs in the foreground until SIGINT/SIGTERM. See docs/monitor.md.
 */
import type { Command } from 'commander';
import pino from 'pino';
import { ConfigError, loadMonitorConfig } from '../monitor/config.js';
import { Monitor } from '../monitor/monitor.js';
import { startTracing } from '../observability/tracing.js';

export function registerMonitorCommand(program: Command): void {
  program
    .command('monitor')
    .description('collect consumer lag, evaluate Burrow-style status, run probes; serve /metrics and /v3')
    .requiredOption('-c, --config <file>', 'monitor configuration (YAML, see docs/monitor.md)')
    .option('--check', 'validate the configuration and exit')
    .action(async (o: { config: string; check?: boolean }) => {
      const log = pino({ name: 'kgw-monitor' });
      let config;
      try {
        config = loadMonitorConfig(o.config);
      } catch (err) {
        if (err instanceof ConfigError) {
          console.error(err.message);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
      if (o.check) {
        console.log(
          `${o.config}: OK (${config.clusters.length} clusters, ${config.mirrors.length} mirror flows)`,
        );
        return;
      }
      const tracing = await startTracing('kgw-monitor');
      const monitor = new Monitor(config, { info: (m) => log.info(m), warn: (m) => log.warn(m) });
      await monitor.start();
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      log.info('stopping');
      await monitor.stop();
      await tracing.shutdown();
    });
}
