/**
 * Gateways for tests: started in-process in front of a real cluster, with a development PKI,
 * SCRAM users seeded through the real seed-file path, and client settings for the real clients
 * (kafkajs options, Java .properties files, kcat -X flags).
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import pino from 'pino';
import { freePort, freePortRange } from './ports.js';
import { parseGatewayConfig } from '../../gateway/config/load.js';
import type { SaslMechanism } from '../../gateway/config/schema.js';
import { startGateway, type RunningGateway } from '../../gateway/gateway.js';
import { createDevPki, type DevPkiFiles } from '../../security/pki/index.js';

export interface TestUser {
  name: string;
  password: string;
}

export const ADMIN: TestUser = { name: 'admin', password: 'admin-secret' };

export interface TestGatewayOptions {
  upstream: string;
  tls?: boolean;
  /** Extra keys inside the listener's `tls: { … }` map, e.g. `minVersion: TLSv1.2, ciphers: "…"`. */
  listenerTlsYaml?: string;
  mechanisms?: SaslMechanism[];
  users?: TestUser[];
  superUsers?: string[];
  allowEveryoneIfNoAclFound?: boolean;
  /** Extra YAML merged into the config (e.g. limits). Top-level keys only. */
  extraYaml?: string;
  /** Separate security topic per test file keeps state apart. */
  securityTopic?: string;
  addressing?: 'port-per-broker' | 'sni';
  clientAuth?: 'none' | 'requested' | 'required';
  /** Also publish audit events to this topic on the upstream. */
  auditTopic?: string;
  /** Extra YAML inside `upstream:` (two-space indented), e.g. tls and sasl towards the brokers. */
  upstreamYaml?: string;
  /** Host name advertised for port-per-broker addressing (Kerberos clients need a name, not an IP). */
  advertisedHost?: string;
}

export interface TestGateway extends RunningGateway {
  /** host:port of the bootstrap listener. */
  bootstrap: string;
  pki: DevPkiFiles | undefined;
  dir: string;
  /** Where the gateway's structured log goes. */
  logFile: string;
  auditFile: string;
}

/**
 * Broker settings for a cluster that also listens with SASL_SSL (SCRAM-SHA-512, the given PKI's
 * server certificate) on `securePort`, next to its PLAINTEXT port and controller. SCRAM users are
 * created at format time (`--add-scram` in formatArgs).
 */
export function saslSslBrokerOverrides(
  ports: { plaintext: number; controller: number; secure: number },
  pki: DevPkiFiles,
): Record<string, string> {
  return {
    listeners: `PLAINTEXT://127.0.0.1:${ports.plaintext},CONTROLLER://127.0.0.1:${ports.controller},SECURE://127.0.0.1:${ports.secure}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${ports.plaintext},SECURE://127.0.0.1:${ports.secure}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SECURE:SASL_SSL',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'listener.name.secure.scram-sha-512.sasl.jaas.config':
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.secure.ssl.keystore.type': 'PKCS12',
    'listener.name.secure.ssl.keystore.location': pki.server.keystoreP12,
    'listener.name.secure.ssl.keystore.password': pki.password,
  };
}

let pkiPromise: Promise<DevPkiFiles> | undefined;
/** One PKI per test process: a CA, a server certificate for localhost/127.0.0.1/*.kgw.test, clients. */
export function testPki(): Promise<DevPkiFiles> {
  pkiPromise ??= createDevPki({
    dir: mkdtempSync(join(tmpdir(), 'kgw-pki-')),
    serverNames: ['localhost', '127.0.0.1', '*.kgw.test', 'bootstrap.kgw.test'],
    clients: [
      { name: 'alice', subject: 'CN=alice,OU=eng,O=acme' },
      { name: 'bob', subject: 'CN=bob,OU=ops,O=acme' },
    ],
    password: 'test-store-password',
  });
  return pkiPromise;
}

export async function startTestGateway(o: TestGatewayOptions): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'kgw-gw-'));
  const tls = o.tls ?? true;
  const pki = tls ? await testPki() : undefined;
  const users = [ADMIN, ...(o.users ?? [])];
  writeFileSync(
    join(dir, 'seed.yaml'),
    `users:\n${users.map((u) => `  - name: ${u.name}\n    password: ${JSON.stringify(u.password)}\n`).join('')}`,
  );
  const certFile = join(dir, 'server-chain.pem');
  const keyFile = join(dir, 'server-key.pem');
  if (pki) {
    copyFileSync(pki.server.chain, certFile);
    copyFileSync(pki.server.key, keyFile);
  }
  const port = await freePort();
  const brokerBase = await freePortRange(8);
  const mechanisms = o.mechanisms ?? ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'];
  const addressing =
    o.addressing === 'sni'
      ? `{ mode: sni, domain: kgw.test, prefix: broker, bootstrapName: bootstrap }`
      : `{ mode: port-per-broker, advertisedHost: ${o.advertisedHost ?? '127.0.0.1'}, brokerPortBase: ${brokerBase} }`;
  const auditFile = join(dir, 'audit.log');
  const yaml = `
listeners:
  - name: external
    port: ${port}
    ${tls ? `tls: { cert: ${certFile}, key: ${keyFile}, ca: ${pki!.caCert}, clientAuth: ${o.clientAuth ?? 'requested'}, principalMappingRules: "RULE:^CN=([^,]+),.*$/$1/,DEFAULT"${o.listenerTlsYaml ? `, ${o.listenerTlsYaml}` : ''} }` : 'allowPlaintext: true'}
    saslMechanisms: [${mechanisms.join(', ')}]
    addressing: ${addressing}
upstream:
  bootstrap: [${o.upstream.split(',').join(', ')}]
  ${o.upstreamYaml ?? ''}
credentials:
  topic: ${o.securityTopic ?? `__kgw_security_${process.pid}`}
  seedFile: seed.yaml
  scramIterations: 4096
authorization:
  superUsers: [${(o.superUsers ?? ['User:admin']).join(', ')}]
  allowEveryoneIfNoAclFound: ${o.allowEveryoneIfNoAclFound ?? true}
audit: { destination: ${auditFile}${o.auditTopic ? `, topic: ${o.auditTopic}` : ''} }
http: { port: 0 }
${o.extraYaml ?? ''}
`;
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, yaml);
  const cfg = parseGatewayConfig(yaml, file);
  const logFile = join(dir, 'gateway.log');
  const log = pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true }));
  const gw = await startGateway(cfg, log);
  return { ...gw, bootstrap: `127.0.0.1:${port}`, pki, dir, logFile, auditFile, close: () => gw.close() };
}

/** kafkajs options for a user through a TLS gateway. */
export function kafkajsSecurity(
  gw: TestGateway,
  user: TestUser,
  mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain' = 'scram-sha-512',
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const sasl = { mechanism, username: user.name, password: user.password } as SASLOptions;
  return { ssl: gw.pki ? { ca: [readFileSync(gw.pki.caCert, 'utf8')] } : undefined, sasl };
}

/** A Java client .properties file (for --command-config, --producer.config, --consumer.config). */
export function javaClientConfig(gw: TestGateway, user: TestUser, mechanism = 'SCRAM-SHA-512'): string {
  const module =
    mechanism === 'PLAIN'
      ? 'org.apache.kafka.common.security.plain.PlainLoginModule'
      : 'org.apache.kafka.common.security.scram.ScramLoginModule';
  const lines = [
    `security.protocol=${gw.pki ? 'SASL_SSL' : 'SASL_PLAINTEXT'}`,
    `sasl.mechanism=${mechanism}`,
    `sasl.jaas.config=${module} required username="${user.name}" password="${user.password}";`,
  ];
  if (gw.pki) {
    lines.push(
      'ssl.truststore.type=PKCS12',
      `ssl.truststore.location=${gw.pki.truststoreP12}`,
      `ssl.truststore.password=${gw.pki.password}`,
    );
  }
  const file = join(gw.dir, `client-${user.name}-${mechanism}.properties`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** A Java client .properties file authenticating with a client certificate (mTLS, no SASL). */
export function javaSslClientConfig(gw: TestGateway, client: 'alice' | 'bob'): string {
  const pki = gw.pki!;
  const lines = [
    'security.protocol=SSL',
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${pki.truststoreP12}`,
    `ssl.truststore.password=${pki.password}`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${pki.clients[client]!.keystoreP12}`,
    `ssl.keystore.password=${pki.password}`,
  ];
  const file = join(gw.dir, `client-${client}-ssl.properties`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** kcat -X settings for a user. */
export function kcatSecurity(gw: TestGateway, user: TestUser, mechanism = 'SCRAM-SHA-512'): string[] {
  const x = [
    '-X',
    `security.protocol=${gw.pki ? 'SASL_SSL' : 'SASL_PLAINTEXT'}`,
    '-X',
    `sasl.mechanisms=${mechanism}`,
    '-X',
    `sasl.username=${user.name}`,
    '-X',
    `sasl.password=${user.password}`,
  ];
  if (gw.pki) x.push('-X', `ssl.ca.location=${gw.pki.caCert}`);
  return x;
}
