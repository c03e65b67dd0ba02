#!/usr/bin/env node
/**
 * The `kgw` command: one entry point for the gateway, mirror, monitor, local Kafka and the
 * operator commands and the security audit. Exit status: 0 done, 1 failed (the message says what to check), 2 asked
 * wrongly (usage or configuration error; nothing was attempted). docs/cli.md.
 */
import { Command, CommanderError } from 'commander';
import { registerAuditCommand } from './audit-command.js';
import { registerAclsCommand } from './commands/acls.js';
import { registerLagCommand } from './commands/lag.js';
import { registerMirrorStatusCommand } from './commands/mirror-status.js';
import { registerStatusCommand } from './commands/status.js';
import { registerUsersCommand } from './commands/users.js';
import { registerCertsCommand } from './certs-command.js';
import { registerFailoverCommands } from './failover-command.js';
import { registerGatewayCommand } from './gateway-command.js';
import { registerKafkaCommand } from './kafka-command.js';
import { registerKekCommand } from './kek-command.js';
import { registerMirrorCommand } from './mirror-command.js';
import { registerMonitorCommand } from './monitor-command.js';
import { registerStartCommand } from './start-command.js';
import { errorText, exitCodeFor } from './support/errors.js';

const program = new Command('kgw')
  .description('Kafka security gateway, multi-DC mirror and lag monitor')
  .showHelpAfterError()
  .exitOverride(); // usage errors become exit status 2 below, not commander's 1

registerStartCommand(program);
registerKafkaCommand(program);
registerGatewayCommand(program);
registerMirrorCommand(program);
registerFailoverCommands(program);
registerMirrorStatusCommand(program);
registerCertsCommand(program);
registerMonitorCommand(program);
registerKekCommand(program);
registerStatusCommand(program);
registerLagCommand(program);
registerUsersCommand(program);
registerAclsCommand(program);
registerAuditCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // commander has already printed its own message (and help) for usage errors.
  if (!(err instanceof CommanderError)) console.error(`kgw: ${errorText(err)}`);
  process.exitCode = exitCodeFor(err);
});
