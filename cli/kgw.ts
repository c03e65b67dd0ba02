#!/usr/bin/env node
/** The `kgw` command: one entry point for the gateway, mirror, monitor and local Kafka. */
import { Command } from 'commander';
import { registerCertsCommand } from './certs-command.js';
import { registerFailoverCommands } from './failover-command.js';
import { registerGatewayCommand } from './gateway-command.js';
import { registerKafkaCommand } from './kafka-command.js';
import { registerKekCommand } from './kek-command.js';
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
registerFailoverCommands(program);
registerCertsCommand(program);
registerMonitorCommand(program);
registerKekCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`kgw: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
