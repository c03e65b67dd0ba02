/** `kgw gateway --config <file.yaml>`: runs the gateway until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import { loadGatewayConfig } from '../gateway/config/load.js';
import { startGateway } from '../gateway/gateway.js';
import { tuneHeapForThroughput } from '../gateway/heap-tuning.js';
import { startTracing } from '../observability/tracing.js';
import { createLogger } from '../observability/logger.js';
import { runService } from './support/lifecycle.js';

export function registerGatewayCommand(program: Command): void {
  program
    .command('gateway')
    .description('run the Kafka security gateway in front of an upstream cluster')
    .requiredOption('-c, --config <file>', 'gateway YAML configuration (see docs/gateway.md)')
    .action(async (o: { config: string }) => {
      const cfg = loadGatewayConfig(o.config);
      tuneHeapForThroughput();
      const log = createLogger({ name: 'kgw-gateway', level: cfg.log.level });
      await runService({
        name: 'gateway',
        log,
        async start() {
          // Tracing is configured only by the standard OTEL_* variables and is off without them.
          const tracing = await startTracing('kgw-gateway');
          const gateway = await startGateway(cfg, log);
          return {
            async stop() {
              await gateway.close();
              await tracing.shutdown();
            },
          };
        },
      });
    });
}
