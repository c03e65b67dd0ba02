/**
 * "A cluster connection": the one configuration shape for how a client reaches a Kafka cluster —
 * bootstrap servers, TLS (CA, mTLS client certificate, server name, host name verification) and
 * SASL (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER) — with its zod schema and its mapping onto the two
 * kinds of client the products use: client/'s `ConnectionOptions` and kafkajs.
 *
 *   bootstrap: [kafka-1:9093, kafka-2:9093]   # or "kafka-1:9093,kafka-2:9093"
 *   clientId: kgw-monitor                     # optional; each product has its default
 *   tls:                                      # omit for plaintext; `tls: true` = system CAs
 *     ca: ca.pem                              # a PEM file, or the PEM text itself
 *     cert: client.pem                        # mTLS: certificate chain and key (PEM)
 *     key: client-key.pem
 *     keyPassword: ${env:KEY_PASSWORD}
 *     serverName: kafka.example.com           # SNI, and the name the certificate must carry
 *     verifyHostname: true                    # the default; false still verifies the chain
 *   sasl:
 *     mechanism: SCRAM-SHA-512                # PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
 *     username: monitor
 *     password: ${env:MONITOR_PASSWORD}       # or passwordFile: /run/secrets/monitor
 *   sasl:
 *     mechanism: OAUTHBEARER
 *     tokenFile: /var/run/secrets/token       # a token kept fresh by someone else, or:
 *     tokenEndpoint: { url: https://idp/oauth2/token, clientId: monitor, clientSecret: ${env:SECRET}, scope: kafka }
 *
 * Secrets are written by reference (`${env:…}`, `${dir:…}`): every loader resolves them in the
 * document before this schema sees it (config/references.ts). Files (CA, certificate, key,
 * password, token) are checked at load time by `connectionFileProblems`, so a wrong path is reported
 * with the file, line and key of the configuration; they are read again whenever a client is built.
 *
 * Defaults are the secure ones, as Kafka's: the chain is always verified and the host name checked
 * (Kafka's ssl.endpoint.identification.algorithm=https). This schema has no "accept any certificate"
 * switch, and Kafka's client properties cannot express one. The gateway's `upstream` alone adds one
 * (`tls.insecureSkipVerify`, through `tlsSectionSchema`), kept from before this model for existing
 * deployments, refused everywhere else and warned about at every start (`connectionWarnings`); the
 * mapping below is the only place it takes effect.
 * GSSAPI is not offered to clients here (the gateway accepts it; the products do not speak it).
 *
 * Fields holding files are marked with config/file-path.ts, so the loader makes relative paths
 * absolute against the configuration file's folder (`resolveConnectionPaths` does the same for
 * callers that build a connection from other sources).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { logLevel, type KafkaConfig } from 'kafkajs';
import { z } from 'zod';
import { isPemText, markFilePath } from '../config/file-path.js';
import type { ConnectionOptions } from './connection.js';
import { kafkajsSecurity } from './kafkajs/security.js';
import { tokenFromEndpoint, tokenFromFile } from './oauth-token.js';
import type { SaslCredentials } from './sasl.js';
import type { TlsOptions } from './socket.js';

const hostPort = z
  .string()
  .regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port, e.g. kafka-1.example.com:9093')
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'port above 65535');

/** One or more host:port, as a list or a comma-separated string (Kafka's bootstrap.servers form). */
export const bootstrapSchema = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : v,
  z
    .array(hostPort, {
      error: (issue) =>
        issue.input === undefined
          ? 'required: the bootstrap servers, host:port or a list of them'
          : undefined,
    })
    .min(1, 'expected at least one host:port'),
);

/** A PEM file path, or PEM text itself (what a `${env:…}` reference to a PEM variable yields). */
const pemSource = markFilePath(z.string().min(1), { pemText: true });
const secretFile = markFilePath(z.string().min(1));

const tlsFields = {
  /** CA certificates (PEM) that sign the brokers' certificates; omitted: the system's CAs. */
  ca: pemSource.optional(),
  /** Client certificate chain (PEM), for brokers that require mTLS (ssl.client.auth=required). */
  cert: pemSource.optional(),
  /** The client certificate's private key (PEM), encrypted with keyPassword or not. */
  key: pemSource.optional(),
  keyPassword: z.string().optional(),
  /** SNI name and the name the certificate is checked against (default: the host connected to). */
  serverName: z.string().min(1).optional(),
  /** Check the broker certificate names the host (Kafka's ssl.endpoint.identification.algorithm=https). */
  verifyHostname: z.boolean().default(true),
};

interface ClientCertificateFields {
  cert?: string | undefined;
  key?: string | undefined;
  keyPassword?: string | undefined;
}

function checkClientCertificate(t: ClientCertificateFields, ctx: z.RefinementCtx): void {
  if ((t.cert === undefined) !== (t.key === undefined))
    ctx.addIssue({
      code: 'custom',
      path: [t.cert === undefined ? 'cert' : 'key'],
      message: 'a client certificate needs both cert and key',
    });
  if (t.keyPassword !== undefined && t.key === undefined)
    ctx.addIssue({ code: 'custom', path: ['keyPassword'], message: 'keyPassword without key' });
}

/**
 * The `tls` section: omitted or `false` for plaintext, `true` for TLS with the system CAs, or the
 * fields above. `extra` adds a product's own fields (only the gateway's insecureSkipVerify).
 */
export function tlsSectionSchema<E extends z.ZodRawShape>(extra: E) {
  return z.preprocess(
    (v) => (v === true ? {} : v === false || v === null ? undefined : v),
    z
      .object({ ...tlsFields, ...extra })
      .strict()
      .superRefine((t, ctx) => checkClientCertificate(t as ClientCertificateFields, ctx))
      .optional(),
  );
}

const tlsSchema = tlsSectionSchema({});

const exactlyOne =
  <T extends object>(keys: readonly (keyof T & string)[]) =>
  (value: T, ctx: z.RefinementCtx): void => {
    const given = keys.filter((k) => value[k] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: given.length > 1 ? [given[1]!] : [],
        message: `give exactly one of ${keys.join(', ')}`,
      });
  };

const passwordSasl = z
  .object({
    mechanism: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']),
    username: z.string().min(1),
    /** Written as a reference: ${env:VAR} or ${dir:/run/secrets:name}. */
    password: z.string().optional(),
    /** A file holding the password (trailing newline ignored), read whenever a client is built. */
    passwordFile: secretFile.optional(),
  })
  .strict()
  .superRefine(exactlyOne(['password', 'passwordFile']));

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const tokenEndpointSchema = z
  .object({
    url: z
      .string()
      .url()
      .refine((u) => {
        const url = new URL(u);
        return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
      }, 'the token endpoint must be https:// (http:// only on loopback): the client secret travels to it'),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    scope: z.string().optional(),
  })
  .strict();

const oauthSasl = z
  .object({
    mechanism: z.literal('OAUTHBEARER'),
    /** A file holding the token, read at every authentication. */
    tokenFile: secretFile.optional(),
    /** OAuth 2 client-credentials grant (KIP-768). */
    tokenEndpoint: tokenEndpointSchema.optional(),
  })
  .strict()
  .superRefine(exactlyOne(['tokenFile', 'tokenEndpoint']));

const saslSchema = z.discriminatedUnion('mechanism', [passwordSasl, oauthSasl], {
  error: 'mechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER',
});

/** The fields of a cluster connection; products extend it with their own keys (e.g. a name). */
export const clusterConnectionShape = {
  bootstrap: bootstrapSchema,
  clientId: z.string().min(1).optional(),
  tls: tlsSchema,
  sasl: saslSchema.optional(),
  connectTimeoutMs: z.number().int().positive().optional(),
  requestTimeoutMs: z.number().int().positive().optional(),
};

export const clusterConnectionSchema = z.object(clusterConnectionShape).strict();

/**
 * TLS settings, with the one product extension the mapping honours: `insecureSkipVerify`, which
 * only the gateway's upstream schema accepts (see the top of this file).
 */
export type ClusterTls = NonNullable<z.infer<typeof tlsSchema>> & { insecureSkipVerify?: boolean };
export type ClusterConnection = Omit<z.infer<typeof clusterConnectionSchema>, 'tls'> & { tls?: ClusterTls };
export type ClusterSasl = NonNullable<ClusterConnection['sasl']>;

/**
 * What an operator must hear about a connection at every start (never a secret): today only that
 * the broker certificates are not verified.
 */
export function connectionWarnings(c: Pick<ClusterConnection, 'tls' | 'bootstrap'>): string[] {
  return c.tls?.insecureSkipVerify
    ? [
        `TLS certificate verification is OFF towards ${c.bootstrap.join(',')} (tls.insecureSkipVerify: true): anyone on the network path can impersonate the brokers and read every credential and record; set tls.ca instead`,
      ]
    : [];
}

/** Kafka's name for the connection's security.protocol. */
export function securityProtocol(c: Pick<ClusterConnection, 'tls' | 'sasl'>): string {
  return `${c.sasl ? 'SASL_' : ''}${c.tls ? 'SSL' : 'PLAINTEXT'}`;
}

/** One line for messages and tables, never a secret: "SASL_SSL SCRAM-SHA-512 as monitor". */
export function describeConnection(c: Pick<ClusterConnection, 'tls' | 'sasl'>): string {
  const who = !c.sasl
    ? ''
    : c.sasl.mechanism === 'OAUTHBEARER'
      ? ` OAUTHBEARER (${c.sasl.tokenFile ? 'token file' : 'client credentials'})`
      : ` ${c.sasl.mechanism} as ${c.sasl.username}`;
  const mtls = c.tls?.cert ? ' with a client certificate' : '';
  return `${securityProtocol(c)}${who}${mtls}`;
}

/** File paths in a connection made absolute against `baseDir` (the configuration file's directory). */
export function resolveConnectionPaths<T extends ClusterConnection>(c: T, baseDir: string): T {
  const abs = (p: string | undefined): string | undefined =>
    p === undefined || isPemText(p) || isAbsolute(p) ? p : resolve(baseDir, p);
  const tls = c.tls && {
    ...c.tls,
    ...(c.tls.ca === undefined ? {} : { ca: abs(c.tls.ca) }),
    ...(c.tls.cert === undefined ? {} : { cert: abs(c.tls.cert) }),
    ...(c.tls.key === undefined ? {} : { key: abs(c.tls.key) }),
  };
  let sasl = c.sasl;
  if (sasl && sasl.mechanism !== 'OAUTHBEARER' && sasl.passwordFile)
    sasl = { ...sasl, passwordFile: abs(sasl.passwordFile) };
  if (sasl && sasl.mechanism === 'OAUTHBEARER' && sasl.tokenFile)
    sasl = { ...sasl, tokenFile: abs(sasl.tokenFile) };
  return { ...c, ...(tls ? { tls } : {}), ...(sasl ? { sasl } : {}) };
}

export interface ConnectionProblem {
  /** Path inside the connection, e.g. ['tls', 'ca']. */
  path: (string | number)[];
  message: string;
}

/**
 * What is wrong with the files a connection names: unreadable, not PEM, a key that does not belong
 * to the certificate or cannot be decrypted with keyPassword. Empty when everything can be used.
 * Every product's loader runs it (gateway `upstream`, monitor and context `clusters[i]`, the mirror's
 * clusters); `at` is where the connection sits in its file (`['clusters', 0]`), so each problem's
 * path is the full key path the loader reports. Messages name files, never their contents.
 */
export function connectionFileProblems(
  c: ClusterConnection,
  at: readonly (string | number)[] = [],
): ConnectionProblem[] {
  const problems: ConnectionProblem[] = [];
  const read = (path: (string | number)[], source: string, marker?: RegExp): string | undefined => {
    try {
      const text = readPem(source);
      if (marker && !marker.test(text)) {
        problems.push({
          path,
          message: `${where(source)} is not PEM (no ${marker.source.replace(/\\/g, '')})`,
        });
        return undefined;
      }
      return text;
    } catch (e) {
      problems.push({
        path,
        message: `cannot read ${where(source)}: ${(e as NodeJS.ErrnoException).code ?? e}`,
      });
      return undefined;
    }
  };
  const tls = c.tls;
  if (tls?.ca !== undefined) {
    const ca = read(['tls', 'ca'], tls.ca, /-----BEGIN CERTIFICATE-----/);
    if (ca !== undefined) secureContextProblem(problems, ['tls', 'ca'], { ca });
  }
  if (tls?.cert !== undefined && tls.key !== undefined) {
    const cert = read(['tls', 'cert'], tls.cert, /-----BEGIN CERTIFICATE-----/);
    const key = read(['tls', 'key'], tls.key, /PRIVATE KEY-----/);
    if (cert !== undefined && key !== undefined)
      secureContextProblem(problems, ['tls', 'key'], { cert, key, passphrase: tls.keyPassword });
  }
  const sasl = c.sasl;
  if (sasl && sasl.mechanism !== 'OAUTHBEARER' && sasl.passwordFile !== undefined)
    readSecretFile(problems, ['sasl', 'passwordFile'], sasl.passwordFile);
  if (sasl?.mechanism === 'OAUTHBEARER' && sasl.tokenFile !== undefined)
    readSecretFile(problems, ['sasl', 'tokenFile'], sasl.tokenFile);
  return problems.map((p) => ({ ...p, path: [...at, ...p.path] }));
}

/**
 * How an error names a PEM source without showing a secret. PEM text is described, not printed;
 * so is a value that does not look like a file path but like key material that lost its BEGIN
 * line (e.g. from a `${env:…}` reference): longer than any sensible path, with line breaks or
 * spaces, or with a run of 32+ base64 characters between slashes. Anything else is a path, printed.
 */
const where = (source: string): string => {
  if (isPemText(source)) return 'the PEM text';
  const keyMaterial =
    source.length > 200 ||
    /\s/.test(source) ||
    source.split('/').some((part) => /^[A-Za-z0-9+=_-]{32,}$/.test(part));
  return keyMaterial ? 'the value given (neither PEM text with its BEGIN line nor a readable file)' : source;
};

function secureContextProblem(
  problems: ConnectionProblem[],
  path: (string | number)[],
  options: Parameters<typeof createSecureContext>[0],
): void {
  try {
    createSecureContext(options);
  } catch (e) {
    // OpenSSL's words, e.g. "key values mismatch" or "bad decrypt" (wrong keyPassword).
    problems.push({ path, message: `unusable: ${(e as Error).message}` });
  }
}

function readSecretFile(problems: ConnectionProblem[], path: (string | number)[], file: string): void {
  try {
    if (readFileSync(file, 'utf8').trim() === '') problems.push({ path, message: `${file} is empty` });
  } catch (e) {
    problems.push({ path, message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}` });
  }
}

function readPem(source: string): string {
  return isPemText(source) ? source : readFileSync(source, 'utf8');
}

/** What a product decides about its clients, next to the connection's own settings. */
export interface ClientDefaults {
  clientId: string;
  requestTimeoutMs: number;
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

function tlsOptions(tls: ClusterTls): TlsOptions {
  const verify = tls.insecureSkipVerify !== true;
  return {
    ...(tls.ca === undefined ? {} : { ca: readPem(tls.ca) }),
    ...(tls.serverName === undefined ? {} : { serverName: tls.serverName }),
    rejectUnauthorized: verify,
    checkServerIdentity: verify && tls.verifyHostname,
    ...(tls.cert === undefined ? {} : { cert: readPem(tls.cert) }),
    ...(tls.key === undefined ? {} : { key: readPem(tls.key) }),
    ...(tls.keyPassword === undefined ? {} : { passphrase: tls.keyPassword }),
  };
}

function saslCredentials(sasl: ClusterSasl): SaslCredentials {
  if (sasl.mechanism === 'OAUTHBEARER') {
    return {
      mechanism: 'OAUTHBEARER',
      token: sasl.tokenFile ? tokenFromFile(sasl.tokenFile) : tokenFromEndpoint(sasl.tokenEndpoint!),
    };
  }
  const password = sasl.password ?? readFileSync(sasl.passwordFile!, 'utf8').replace(/\r?\n$/, '');
  return { mechanism: sasl.mechanism, username: sasl.username, password };
}

/** client/ options for this connection; files are read now. */
export function connectionOptions(c: ClusterConnection, defaults: ClientDefaults): ConnectionOptions {
  return {
    clientId: c.clientId ?? defaults.clientId,
    connectTimeoutMs: c.connectTimeoutMs ?? defaults.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: c.requestTimeoutMs ?? defaults.requestTimeoutMs,
    ...(c.tls ? { tls: tlsOptions(c.tls) } : {}),
    ...(c.sasl ? { sasl: saslCredentials(c.sasl) } : {}),
  };
}

/**
 * A kafkajs configuration for this connection, with identical TLS and SASL settings (one token
 * provider shared by every broker connection the client opens). Logging is off unless the caller
 * sets its own `logLevel` / `logCreator` over it.
 */
export function kafkajsConfig(c: ClusterConnection, defaults: ClientDefaults): KafkaConfig {
  const options = connectionOptions(c, defaults);
  return {
    clientId: options.clientId,
    brokers: c.bootstrap,
    connectionTimeout: options.connectTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    logLevel: logLevel.NOTHING,
    ...kafkajsSecurity(options),
  };
}
