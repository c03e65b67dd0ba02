/** `kgw certs`: a development PKI (CA, gateway certificate, client certificates, Java stores). */
import type { Command } from 'commander';
import { runCertsCommand } from '../security/pki/index.js';

export function registerCertsCommand(program: Command): void {
  program
    .command('certs')
    .description('create a development PKI: CA, server certificate with SANs, client certificates')
    .option('-d, --dir <dir>', 'output directory', './certs')
    .option('-n, --name <name...>', 'names clients use for the gateway (SANs)', [
      'localhost',
      '127.0.0.1',
      '::1',
    ])
    .option('--client <spec...>', 'client certificates: alice, or alice:CN=alice,OU=eng,O=acme', [])
    .option('--new-ca', 'create a new CA even if one exists in the directory')
    .option('--days <n>', 'validity in days', '365')
    .action(async (o: { dir: string; name: string[]; client: string[]; newCa?: boolean; days: string }) => {
      await runCertsCommand({
        dir: o.dir,
        serverNames: o.name,
        clients: o.client,
        newCa: o.newCa,
        validityDays: Number(o.days),
      });
    });
}
