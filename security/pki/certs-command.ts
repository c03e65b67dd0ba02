// `kgw certs`: the CLI wires its flags to CertsCommandOptions and calls runCertsCommand.
import type { DevPkiFiles } from './dev-pki.js';
import { createDevPki } from './dev-pki.js';

export interface CertsCommandOptions {
  /** Output directory, e.g. "./certs". */
  readonly dir: string;
  /** Names clients use for the gateway; default ["localhost", "127.0.0.1", "::1"]. */
  readonly serverNames?: readonly string[];
  /** Client identities: "alice" (CN=alice), "alice:CN=alice,OU=eng,O=acme" (name:subject) or a bare subject. */
  readonly clients?: readonly string[];
  /** .p12 password; default reuse or random (written to store-password.txt). */
  readonly password?: string;
  /** Create a new CA even if one exists in dir. */
  readonly newCa?: boolean;
  readonly validityDays?: number;
  /** Where progress goes; default console.log. */
  readonly out?: (line: string) => void;
}

/** Parse "alice", "alice:CN=alice,OU=eng" or "CN=alice,OU=eng" into a client spec. */
export function parseClientSpec(spec: string): { name: string; subject: string } {
  const colon = spec.indexOf(':');
  if (colon > 0) return { name: spec.slice(0, colon), subject: spec.slice(colon + 1) };
  if (spec.includes('=')) {
    // A bare subject: its CN (made file-name safe) becomes the name.
    const cn = /(?:^|,)\s*CN=([^,]+)/i.exec(spec)?.[1] ?? 'client';
    return { name: cn.replace(/[^A-Za-z0-9._-]/g, '_'), subject: spec };
  }
  return { name: spec, subject: `CN=${spec}` };
}

export async function runCertsCommand(opts: CertsCommandOptions): Promise<DevPkiFiles> {
  const out = opts.out ?? ((l: string) => console.log(l));
  const serverNames = opts.serverNames ?? ['localhost', '127.0.0.1', '::1'];
  const files = await createDevPki({
    dir: opts.dir,
    serverNames,
    clients: (opts.clients ?? []).map(parseClientSpec),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    reuseCa: opts.newCa !== true,
    ...(opts.validityDays !== undefined ? { validityDays: opts.validityDays } : {}),
    onProgress: (l) => out(`  ${l}`),
  });
  out(`certificates written to ${files.dir}`);
  out(`  CA:          ${files.caCert}${files.caCreated ? ' (new)' : ' (reused)'}`);
  out(`  server:      ${files.server.cert} (SANs: ${serverNames.join(', ')})`);
  for (const [name, c] of Object.entries(files.clients)) out(`  client ${name}: ${c.cert} (${c.subject})`);
  out(`  passwords:   ${files.passwordFile}`);
  out('Java client settings:');
  out(`  ssl.truststore.type=PKCS12`);
  out(`  ssl.truststore.location=${files.truststoreP12}`);
  out(`  ssl.truststore.password=<contents of ${files.passwordFile}>`);
  out(`  (or ssl.truststore.type=PEM with ssl.truststore.location=${files.truststorePem})`);
  return files;
}
