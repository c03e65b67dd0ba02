/** `kgw gateway --config <file.yaml>`: runs the gateway until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import pino from 'pino';
import { loadGatewayConfig } from '../gateway/config/load.js';
import { startGateway } from '../gateway/gateway.js';
import { tuneHeapForThroughput } from '../gateway/heap-tuning.js';
import { startTracing } from '../observability/tracing.js';

export function registerGatewayCommand(program: Command): void {
  program
    .command('gateway')
    .description('run the Kafka security gateway in front of an upstream cluster')
    .requiredOption('-c, --config <file>', 'gateway YAML configuration (see docs/gateway.md)')
    .action(async (o: { config: string }) => {
      const cfg = loadGatewayConfig(o.config);
      tuneHeapForThroughput();
      // Tracing is configured only by the standard OTEL_* variables and is off without them.
      const tracing = await startTracing('kgw-gateway');
      // Secrets never reach the log: anything that looks like one is redacted by path.
      const log = pino({
        level: cfg.log.level,
        redact: {
          paths: ['*.password', '*.*.password', 'password', '*.authBytes', 'token'],
          censor: '[redacted]',
        },
      });
      const gateway = await startGateway(cfg, log);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      log.info('shutting down');
      await gateway.close();
      await tracing.shutdown();
      process.exit(0);
    });
}
