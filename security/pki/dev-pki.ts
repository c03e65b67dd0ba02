// createDevPki: everything a local gateway + Java/librdkafka/kafkajs clients need for TLS and mTLS,
// written to one directory:
//   ca.crt.pem, ca.key.pem                       the development CA (reused if already present)
//   truststore.pem                               CA certificate (ssl.truststore.type=PEM, kcat, Node)
//   truststore.p12                               CA as a Java trusted entry (ssl.truststore.type=PKCS12)
//   server.crt.pem, server.key.pem, server.chain.pem, server.keystore.p12
//   clients/<name>.crt.pem, .key.pem, .chain.pem, .keystore.p12
//   store-password.txt                           password of every .p12 file (mode 0600)
// Private keys are written with mode 0600.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IssuedCertificate } from './certificates.js';
import { createCa, createClientCert, createServerCert, loadCa } from './certificates.js';
import { toPkcs12Keystore, toPkcs12Truststore } from './pkcs12.js';

export interface DevPkiClient {
  /** File name stem, e.g. "alice". */
  readonly name: string;
  /** Subject in RFC 2253 order; default "CN=<name>". */
  readonly subject?: string;
}

export interface DevPkiOptions {
  /** Output directory (created if missing). */
  readonly dir: string;
  /** Every name clients use to reach the gateway: DNS names, wildcards ("*.kgw.local"), IPs. */
  readonly serverNames: readonly string[];
  /** Client identities for mTLS: "alice" (CN=alice) or { name, subject }. */
  readonly clients?: readonly (string | DevPkiClient)[];
  /** Password for .p12 files; default: reuse store-password.txt if present, else random. */
  readonly password?: string;
  /** Reuse ca.crt.pem/ca.key.pem if present (default true), so existing truststores stay valid. */
  readonly reuseCa?: boolean;
  readonly caSubject?: string;
  readonly validityDays?: number;
  /** Progress callback (one line per step). */
  readonly onProgress?: (line: string) => void;
}

export interface DevPkiFiles {
  readonly dir: string;
  readonly password: string;
  readonly passwordFile: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly truststorePem: string;
  readonly truststoreP12: string;
  readonly server: { cert: string; key: string; chain: string; keystoreP12: string };
  readonly clients: Readonly<
    Record<string, { subject: string; cert: string; key: string; chain: string; keystoreP12: string }>
  >;
  /** Whether the CA was newly created (false: reused). */
  readonly caCreated: boolean;
}

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

async function write(path: string, data: string | Buffer, secret = false): Promise<void> {
  await writeFile(path, data, { mode: secret ? 0o600 : 0o644 });
}

export async function createDevPki(opts: DevPkiOptions): Promise<DevPkiFiles> {
  const log = opts.onProgress ?? (() => undefined);
  if (opts.serverNames.length === 0) throw new Error('serverNames must not be empty');
  const clients = (opts.clients ?? []).map((c) =>
    typeof c === 'string'
      ? { name: c, subject: `CN=${c}` }
      : { name: c.name, subject: c.subject ?? `CN=${c.name}` },
  );
  for (const c of clients)
    if (!SAFE_NAME.test(c.name)) throw new Error(`client name "${c.name}" is not a safe file name`);

  const dir = opts.dir;
  await mkdir(join(dir, 'clients'), { recursive: true });
  const passwordFile = join(dir, 'store-password.txt');
  let password = opts.password;
  if (password === undefined && existsSync(passwordFile))
    password = (await readFile(passwordFile, 'utf8')).trim();
  password ??= randomBytes(18).toString('base64url');
  await write(passwordFile, password + '\n', true);

  const caCert = join(dir, 'ca.crt.pem');
  const caKey = join(dir, 'ca.key.pem');
  let ca: IssuedCertificate;
  let caCreated = false;
  if ((opts.reuseCa ?? true) && existsSync(caCert) && existsSync(caKey)) {
    ca = loadCa(await readFile(caCert, 'utf8'), await readFile(caKey, 'utf8'));
    log(`reusing CA ${caCert}`);
  } else {
    log('creating CA (RSA 2048, SHA-256)');
    ca = createCa({ ...(opts.caSubject !== undefined ? { subject: opts.caSubject } : {}) });
    await write(caCert, ca.certPem);
    await write(caKey, ca.keyPem, true);
    caCreated = true;
  }
  const truststorePem = join(dir, 'truststore.pem');
  const truststoreP12 = join(dir, 'truststore.p12');
  await write(truststorePem, ca.certPem);
  await write(truststoreP12, toPkcs12Truststore([{ alias: 'kgw-ca', cert: ca.cert }], password));
  log(`truststores written: ${truststorePem}, ${truststoreP12}`);

  const validity = opts.validityDays !== undefined ? { validityDays: opts.validityDays } : {};
  log(`creating server certificate for ${opts.serverNames.join(', ')}`);
  const server = createServerCert(ca, { names: opts.serverNames, ...validity });
  const serverFiles = {
    cert: join(dir, 'server.crt.pem'),
    key: join(dir, 'server.key.pem'),
    chain: join(dir, 'server.chain.pem'),
    keystoreP12: join(dir, 'server.keystore.p12'),
  };
  await write(serverFiles.cert, server.certPem);
  await write(serverFiles.key, server.keyPem, true);
  await write(serverFiles.chain, server.certPem + ca.certPem);
  await write(
    serverFiles.keystoreP12,
    toPkcs12Keystore(server.key, [server.cert, ca.cert], password, 'server'),
    true,
  );

  const clientFiles: Record<
    string,
    { subject: string; cert: string; key: string; chain: string; keystoreP12: string }
  > = {};
  for (const c of clients) {
    log(`creating client certificate ${c.name} (${c.subject})`);
    const issued = createClientCert(ca, { subject: c.subject, ...validity });
    const f = {
      subject: c.subject,
      cert: join(dir, 'clients', `${c.name}.crt.pem`),
      key: join(dir, 'clients', `${c.name}.key.pem`),
      chain: join(dir, 'clients', `${c.name}.chain.pem`),
      keystoreP12: join(dir, 'clients', `${c.name}.keystore.p12`),
    };
    await write(f.cert, issued.certPem);
    await write(f.key, issued.keyPem, true);
    await write(f.chain, issued.certPem + ca.certPem);
    await write(f.keystoreP12, toPkcs12Keystore(issued.key, [issued.cert, ca.cert], password, c.name), true);
    clientFiles[c.name] = f;
  }
  return {
    dir,
    password,
    passwordFile,
    caCert,
    caKey,
    truststorePem,
    truststoreP12,
    server: serverFiles,
    clients: clientFiles,
    caCreated,
  };
}
