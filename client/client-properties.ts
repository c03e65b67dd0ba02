/**
 * Kafka's Java client properties (what `--command-config client.properties` gives Kafka's tools)
 * mapped onto the one cluster-connection shape (cluster-connection.ts), so an operator hands kgw the
 * file they already use with kafka-consumer-groups.sh. Understood (Kafka's AdminClientConfig names):
 *
 *   bootstrap.servers, client.id, request.timeout.ms, socket.connection.setup.timeout.ms
 *   security.protocol              PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
 *   sasl.mechanism                 PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 | OAUTHBEARER
 *   sasl.jaas.config               PlainLoginModule / ScramLoginModule (username, password);
 *                                  OAuthBearerLoginModule (clientId, clientSecret, scope: KIP-768)
 *   sasl.oauthbearer.token.endpoint.url        https://… (client credentials) or file:///… (a token file)
 *   sasl.oauthbearer.client.credentials.client.id / .client.secret, sasl.oauthbearer.scope (KIP-1139)
 *   ssl.truststore.type=PEM with ssl.truststore.location or ssl.truststore.certificates
 *   ssl.keystore.type=PEM with ssl.keystore.location (key and chain in one file) or
 *                                  ssl.keystore.certificate.chain + ssl.keystore.key; ssl.key.password
 *   ssl.endpoint.identification.algorithm      https (default) | empty (no host name check)
 *
 * Fail closed: a setting that changes security and cannot be honoured (JKS/PKCS12 stores, GSSAPI,
 * unsecured OAuth tokens) is an error saying what to write instead, never silently dropped. Other
 * keys (producer/consumer tuning, store passwords PEM does not use) are returned as `ignored`.
 *
 * Used by the CLI (`--command-config`) and by the mirror for MM2's per-cluster keys
 * (`<alias>.security.protocol`, …: `prefix`), so both read the same keys the same way.
 */
import { fileURLToPath } from 'node:url';
import { formatProblem } from '../config/errors.js';
import {
  clusterConnectionSchema,
  connectionFileProblems,
  type ClusterConnection,
} from './cluster-connection.js';

export interface PropertyLine {
  key: string;
  value: string;
  /** 1-based line of the key, for messages. */
  line?: number | undefined;
}

export interface PropertiesMapping {
  /** Input for clusterConnectionSchema (validated by the caller, like any other source). */
  connection: Record<string, unknown>;
  /** `file:line: key: problem`, one per problem; empty when the mapping succeeded. */
  problems: string[];
  /** Keys that have no meaning for a kgw connection and were left out. */
  ignored: string[];
  /** `file:line: key: note` for values read although Kafka would refuse them (never a secret). */
  warnings: string[];
}

export interface PropertiesOptions {
  /** Only keys starting with this are read, and named with it in messages (the mirror's `east.`). */
  prefix?: string;
}

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const LOGIN_MODULES: Record<string, string> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  OAUTHBEARER: 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule',
};
const HANDLED = new Set([
  'bootstrap.servers',
  'client.id',
  'request.timeout.ms',
  'socket.connection.setup.timeout.ms',
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'sasl.login.callback.handler.class',
  'sasl.oauthbearer.token.endpoint.url',
  'sasl.oauthbearer.client.credentials.client.id',
  'sasl.oauthbearer.client.credentials.client.secret',
  'sasl.oauthbearer.scope',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.certificates',
  'ssl.truststore.password',
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.key',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
]);

/** The keys connectionFromProperties reads (after the prefix): every other key is `ignored`. */
export const CONNECTION_PROPERTY_KEYS: ReadonlySet<string> = HANDLED;

export function connectionFromProperties(
  entries: readonly PropertyLine[],
  file: string,
  options: PropertiesOptions = {},
): PropertiesMapping {
  const prefix = options.prefix ?? '';
  const props = new Map<string, PropertyLine>();
  for (const e of entries) if (e.key.startsWith(prefix)) props.set(e.key.slice(prefix.length), e); // the last one wins, as java.util.Properties
  const problems: string[] = [];
  const warnings: string[] = [];
  const at = (key: string) => ({ file, line: props.get(key)?.line, path: `${prefix}${key}` });
  const fail = (key: string, message: string): void => {
    problems.push(formatProblem({ ...at(key), message }));
  };
  const warn = (key: string, message: string): void => {
    warnings.push(formatProblem({ ...at(key), message }));
  };
  const get = (key: string): string | undefined => {
    const v = props.get(key)?.value.trim();
    return v === '' ? undefined : v;
  };
  const connection: Record<string, unknown> = {};
  const bootstrap = get('bootstrap.servers');
  if (bootstrap !== undefined) connection.bootstrap = bootstrap;
  const clientId = get('client.id');
  if (clientId !== undefined) connection.clientId = clientId;
  for (const [key, field] of [
    ['request.timeout.ms', 'requestTimeoutMs'],
    ['socket.connection.setup.timeout.ms', 'connectTimeoutMs'],
  ] as const) {
    const v = get(key);
    if (v === undefined) continue;
    if (!/^\d+$/.test(v) || Number(v) <= 0)
      fail(key, `expected a positive number of milliseconds, got "${v}"`);
    else connection[field] = Number(v);
  }

  const protocol = (get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!PROTOCOLS.includes(protocol)) fail('security.protocol', `expected one of ${PROTOCOLS.join(', ')}`);
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol.startsWith('SASL_');
  if (usesTls) connection.tls = tlsFromProperties(get, (k) => props.get(k)?.value.trim(), fail);
  else
    for (const key of ['ssl.truststore.location', 'ssl.truststore.certificates', 'ssl.keystore.location'])
      if (get(key) !== undefined) fail(key, `needs security.protocol SSL or SASL_SSL (it is ${protocol})`);
  if (usesSasl) {
    const sasl = saslFromProperties(get, fail, warn);
    if (sasl) connection.sasl = sasl;
  } else if (get('sasl.jaas.config') !== undefined || get('sasl.mechanism') !== undefined) {
    fail(
      get('sasl.jaas.config') !== undefined ? 'sasl.jaas.config' : 'sasl.mechanism',
      `needs security.protocol SASL_PLAINTEXT or SASL_SSL (it is ${protocol})`,
    );
  }
  const ignored = [...props.keys()].filter((k) => !HANDLED.has(k)).map((k) => `${prefix}${k}`);
  return { connection, problems, ignored, warnings };
}

export interface CheckedConnection {
  /** Present when there are no problems. */
  connection?: ClusterConnection;
  /** `file:line: key: problem`, naming the property that carries each problem. */
  problems: string[];
  ignored: string[];
  warnings: string[];
}

/**
 * connectionFromProperties, then the cluster-connection schema and the files the connection names
 * (CA, keystore, token file), every problem named by the property it came from: what a product
 * reading properties (the mirror) needs to hold a usable connection.
 */
export function checkedConnectionFromProperties(
  entries: readonly PropertyLine[],
  file: string,
  options: PropertiesOptions = {},
): CheckedConnection {
  const mapped = connectionFromProperties(entries, file, options);
  const { ignored, warnings } = mapped;
  if (mapped.problems.length > 0) return { problems: mapped.problems, ignored, warnings };
  const prefix = options.prefix ?? '';
  const lineOf = new Map<string, number | undefined>();
  for (const e of entries) if (e.key.startsWith(prefix)) lineOf.set(e.key.slice(prefix.length), e.line);
  const describe = (path: readonly PropertyKey[], message: string): string => {
    const key = propertyFor(path, lineOf);
    return formatProblem({ file, line: lineOf.get(key), path: `${prefix}${key}`, message });
  };
  const parsed = clusterConnectionSchema.safeParse(mapped.connection);
  if (!parsed.success)
    return {
      problems: parsed.error.issues.map((i) => describe(i.path, i.message)),
      ignored,
      warnings,
    };
  const problems = connectionFileProblems(parsed.data).map((p) => describe(p.path, p.message));
  return problems.length > 0
    ? { problems, ignored, warnings }
    : { connection: parsed.data, problems, ignored, warnings };
}

/** The property a path of the connection shape came from (the first of its sources that is set). */
function propertyFor(path: readonly PropertyKey[], present: ReadonlyMap<string, unknown>): string {
  const [head, field] = path.map(String);
  const first = (...keys: string[]): string => keys.find((k) => present.has(k)) ?? keys[0]!;
  switch (head) {
    case 'bootstrap':
      return 'bootstrap.servers';
    case 'clientId':
      return 'client.id';
    case 'requestTimeoutMs':
      return 'request.timeout.ms';
    case 'connectTimeoutMs':
      return 'socket.connection.setup.timeout.ms';
    case 'tls':
      if (field === 'ca') return first('ssl.truststore.location', 'ssl.truststore.certificates');
      if (field === 'cert') return first('ssl.keystore.location', 'ssl.keystore.certificate.chain');
      if (field === 'key') return first('ssl.keystore.location', 'ssl.keystore.key');
      if (field === 'keyPassword') return 'ssl.key.password';
      return 'security.protocol';
    case 'sasl':
      if (field === 'tokenFile' || field === 'tokenEndpoint') return 'sasl.oauthbearer.token.endpoint.url';
      return first('sasl.jaas.config', 'sasl.mechanism');
    default:
      return 'security.protocol';
  }
}

type Get = (key: string) => string | undefined;
type Fail = (key: string, message: string) => void;

function tlsFromProperties(get: Get, raw: Get, fail: Fail): Record<string, unknown> {
  const tls: Record<string, unknown> = {};
  const convert =
    'convert it to PEM (e.g. `keytool -exportcert -rfc -keystore <store> -alias <ca> -file ca.pem`, or `openssl pkcs12 -in <store>.p12 -nokeys -out ca.pem`) and set ssl.truststore.type=PEM';
  const trustType = (get('ssl.truststore.type') ?? 'PEM').toUpperCase();
  const trustLocation = get('ssl.truststore.location');
  const trustInline = get('ssl.truststore.certificates');
  if (trustType !== 'PEM' && (trustLocation !== undefined || trustInline !== undefined))
    fail('ssl.truststore.type', `${trustType} truststores are not read by kgw: ${convert}`);
  else if (trustLocation !== undefined && trustInline !== undefined)
    fail(
      'ssl.truststore.certificates',
      'give ssl.truststore.location or ssl.truststore.certificates, not both',
    );
  else if (trustLocation !== undefined || trustInline !== undefined) tls.ca = trustLocation ?? trustInline;

  const keyType = (get('ssl.keystore.type') ?? 'PEM').toUpperCase();
  const keyLocation = get('ssl.keystore.location');
  const chain = get('ssl.keystore.certificate.chain');
  const key = get('ssl.keystore.key');
  if (keyType !== 'PEM' && (keyLocation !== undefined || chain !== undefined || key !== undefined)) {
    fail(
      'ssl.keystore.type',
      `${keyType} keystores are not read by kgw: export the key and certificate chain to one PEM file (e.g. \`openssl pkcs12 -in <store>.p12 -out client.pem\`) and set ssl.keystore.type=PEM, ssl.keystore.location=client.pem`,
    );
  } else if (keyLocation !== undefined) {
    if (chain !== undefined || key !== undefined)
      fail(
        'ssl.keystore.location',
        'give ssl.keystore.location, or ssl.keystore.certificate.chain and ssl.keystore.key, not both',
      );
    // One PEM file with the private key and the certificate chain, as Kafka's PEM keystore file.
    tls.cert = keyLocation;
    tls.key = keyLocation;
  } else if (chain !== undefined || key !== undefined) {
    if (chain === undefined || key === undefined)
      fail(
        chain === undefined ? 'ssl.keystore.key' : 'ssl.keystore.certificate.chain',
        'needs ssl.keystore.certificate.chain and ssl.keystore.key together',
      );
    else {
      tls.cert = chain;
      tls.key = key;
    }
  }
  const keyPassword = get('ssl.key.password');
  if (keyPassword !== undefined && tls.key !== undefined) tls.keyPassword = keyPassword;
  // Kafka turns the host name check off with an empty value, so empty is not "absent" here.
  const algorithm = raw('ssl.endpoint.identification.algorithm');
  if (algorithm !== undefined && algorithm !== '' && algorithm.toLowerCase() !== 'https')
    fail('ssl.endpoint.identification.algorithm', 'expected https, or empty to skip the host name check');
  else if (algorithm === '') tls.verifyHostname = false;
  return tls;
}

function saslFromProperties(get: Get, fail: Fail, warn: Fail): Record<string, unknown> | undefined {
  const mechanism = (get('sasl.mechanism') ?? 'GSSAPI').toUpperCase();
  if (!(mechanism in LOGIN_MODULES)) {
    fail(
      'sasl.mechanism',
      mechanism === 'GSSAPI'
        ? "GSSAPI (Kafka's default when sasl.mechanism is not set) is not supported by kgw's clients: set PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER"
        : `${mechanism} is not supported: set PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER`,
    );
    return undefined;
  }
  const jaasText = get('sasl.jaas.config');
  let jaas = jaasText === undefined ? undefined : parseJaasConfig(jaasText);
  if (typeof jaas === 'string') {
    // kgw's mirror read a looser form before it shared this parser; such files keep loading.
    const loose = parseLooseJaasConfig(jaasText!);
    if (loose === undefined) {
      fail('sasl.jaas.config', jaas);
      return undefined;
    }
    warn(
      'sasl.jaas.config',
      `Kafka's clients and MirrorMaker 2 refuse this value (${jaas}); kgw reads it as before, but write it as Kafka does`,
    );
    jaas = loose;
  }
  if (jaas && jaas.loginModule !== LOGIN_MODULES[mechanism]) {
    fail(
      'sasl.jaas.config',
      `login module ${jaas.loginModule} does not fit sasl.mechanism ${mechanism}: use ${LOGIN_MODULES[mechanism]}`,
    );
    return undefined;
  }
  const options = jaas?.options ?? new Map<string, string>();
  if (mechanism !== 'OAUTHBEARER') {
    const username = options.get('username');
    const password = options.get('password');
    if (username === undefined || password === undefined) {
      fail(
        jaasText === undefined ? 'sasl.mechanism' : 'sasl.jaas.config',
        `${mechanism} needs sasl.jaas.config with username="…" and password="…"`,
      );
      return undefined;
    }
    return { mechanism, username, password };
  }
  if ([...options.keys()].some((k) => k.startsWith('unsecuredLogin'))) {
    fail(
      'sasl.jaas.config',
      'unsecured OAUTHBEARER tokens (unsecuredLogin…) are not supported: use a token endpoint or a token file',
    );
    return undefined;
  }
  const url = get('sasl.oauthbearer.token.endpoint.url');
  if (url === undefined) {
    fail(
      'sasl.mechanism',
      'OAUTHBEARER needs sasl.oauthbearer.token.endpoint.url (https://… for client credentials, or file:///… for a token file)',
    );
    return undefined;
  }
  if (url.startsWith('file:')) {
    try {
      return { mechanism, tokenFile: fileURLToPath(url) };
    } catch (e) {
      fail('sasl.oauthbearer.token.endpoint.url', (e as Error).message);
      return undefined;
    }
  }
  const clientId = get('sasl.oauthbearer.client.credentials.client.id') ?? options.get('clientId');
  const clientSecret =
    get('sasl.oauthbearer.client.credentials.client.secret') ?? options.get('clientSecret');
  const scope = get('sasl.oauthbearer.scope') ?? options.get('scope');
  if (clientId === undefined || clientSecret === undefined) {
    fail(
      'sasl.jaas.config',
      'the client-credentials grant needs clientId="…" and clientSecret="…" (or sasl.oauthbearer.client.credentials.client.id / .client.secret)',
    );
    return undefined;
  }
  return { mechanism, tokenEndpoint: { url, clientId, clientSecret, ...(scope ? { scope } : {}) } };
}

/**
 * One JAAS login-module entry as Kafka reads sasl.jaas.config (JaasConfig over java.io.StreamTokenizer):
 * `<LoginModule> <flag> key=value key="quoted value" … ;`. Words start with a letter, `_` or `$`
 * and continue with those, digits, dots and `-`; values that start otherwise (a digit) must be
 * quoted with `"` or `'`; the closing `;` is required; exactly one entry. Returns a message when
 * Kafka would refuse the text.
 */
export function parseJaasConfig(
  text: string,
): { loginModule: string; options: Map<string, string> } | string {
  const tokens = tokenizeJaas(text);
  if (typeof tokens === 'string') return tokens;
  const usage = 'expected "<LoginModule> required key=\\"value\\" …;"';
  let i = 0;
  const next = (): JaasToken | undefined => tokens[i++];
  const module = next();
  if (module?.kind !== 'word') return `${usage}: no login module name`;
  const flag = next();
  if (flag?.kind !== 'word' || !/^(required|requisite|sufficient|optional)$/i.test(flag.text))
    return `${usage}: "${flag?.text ?? ''}" is not a control flag (required, requisite, sufficient, optional)`;
  const options = new Map<string, string>();
  for (;;) {
    const key = next();
    if (key === undefined) return `${usage}: the entry must end with ";"`;
    if (key.kind === 'char' && key.text === ';') break;
    if (key.kind !== 'word') return `${usage}: option name expected at "${key.text}"`;
    const eq = next();
    if (eq?.kind !== 'char' || eq.text !== '=') return `${usage}: "=" expected after ${key.text}`;
    const value = next();
    if (value?.kind !== 'word' && value?.kind !== 'quoted')
      return `${usage}: the value of ${key.text} must be a word or quoted (a value starting with a digit needs quotes)`;
    options.set(key.text, value.text);
  }
  if (i < tokens.length) return 'more than one login module: Kafka clients take exactly one';
  return { loginModule: module.text, options };
}

/**
 * The looser JAAS form the mirror accepted before (no closing ";" needed, unquoted values up to the
 * next space, `\x` as x): read only when Kafka's own form refuses the text, and then warned about.
 */
function parseLooseJaasConfig(
  text: string,
): { loginModule: string; options: Map<string, string> } | undefined {
  const m = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\s+(.*?);?\s*$/s.exec(text);
  if (!m) return undefined;
  const options = new Map<string, string>();
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  for (let o = re.exec(m[3]!); o; o = re.exec(m[3]!))
    options.set(o[1]!, (o[2] ?? o[3]!).replace(/\\(.)/g, '$1'));
  return { loginModule: m[1]!, options };
}

interface JaasToken {
  kind: 'word' | 'quoted' | 'char' | 'number';
  text: string;
}

// '-' continues a word but cannot start one: StreamTokenizer reads a leading '-' as a sign.
const WORD_START = /[A-Za-z_$\u00a0-\uffff]/;
const WORD_PART = /[A-Za-z0-9._$\-\u00a0-\uffff]/;
const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** java.io.StreamTokenizer's defaults with Kafka's word characters ('-', '_', '$') and comments. */
function tokenizeJaas(text: string): JaasToken[] | string {
  const out: JaasToken[] = [];
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    if (c <= ' ') i++;
    else if (c === '/' && (text[i + 1] === '/' || text[i + 1] !== '*')) {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++; // // comment (and '/' alone)
    } else if (c === '/') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < text.length && WORD_PART.test(text[j]!)) j++;
      out.push({ kind: 'word', text: text.slice(i, j) });
      i = j;
    } else if (/[0-9.]/.test(c) || (c === '-' && /[0-9.]/.test(text[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < text.length && /[0-9.]/.test(text[j]!)) j++;
      out.push({ kind: 'number', text: text.slice(i, j) });
      i = j;
    } else if (c === '"' || c === "'") {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== c && text[j] !== '\n' && text[j] !== '\r'; j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const e = text[++j]!;
          value += ESCAPES[e] ?? e;
        } else value += text[j];
      }
      out.push({ kind: 'quoted', text: value });
      i = j + 1;
    } else {
      out.push({ kind: 'char', text: c });
      i++;
    }
  }
  if (out.length === 0) return 'empty: expected "<LoginModule> required key=\\"value\\" …;"';
  return out;
}
