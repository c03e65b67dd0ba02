#!/usr/bin/env node
/** The `kgw` command: one entry point for the gateway, mirror, monitor, local Kafka and the security audit. */
import { Command } from 'commander';
import { registerAuditCommand } from './audit-command.js';
import { registerCertsCommand } from './certs-command.js';
import { registerGatewayCommand } from './gateway-command.js';
import { registerKafkaCommand } from './kafka-command.js';
import { registerMirrorCommand } from './mirror-command.js';
import { registerMonitorCommand } from './monitor-command.js';
import { registerStartCommand } from './start-command.js';

const program = new Command('kgw')
  .description('Kafka security gateway, multi-DC mirror and lag monitor')
  .showHelpAfterError();

registerStartCommand(program);
registerKafkaCommand(program);
registerGatewayCommand(program);
registerMirrorCommand(program);
registerCertsCommand(program);
registerMonitorCommand(program);
registerAuditCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`kgw: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
