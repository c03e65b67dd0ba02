// Every file path in a gateway config is relative to the config file's folder (docs/gateway.md),
// including the audit log; and no key that names a file can be left out of that rule.
import assert from 'node:assert/strict';
import { dirname, isAbsolute, join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { parseYamlConfig } from '../../../config/yaml.js';
import { filePathKeys } from '../../../gateway/config/load.js';
import { gatewayConfigSchema, type GatewayConfig } from '../../../gateway/config/schema.js';

/**
 * The gateway's schema through the one loader, without the check that the upstream's files exist
 * (loadGatewayConfig runs it; test/unit/gateway/upstream-files.test.ts): the paths below are
 * resolved, not read.
 */
const parseGatewayConfig = (text: string, file: string): GatewayConfig =>
  parseYamlConfig(text, file, gatewayConfigSchema);

const FILE = '/etc/kgw/conf/gateway.yaml';
const YAML = `
listeners:
  - name: a
    port: 9000
    tls: { cert: certs/server.pem, key: /abs/server-key.pem, ca: ca.pem }
    saslMechanisms: [OAUTHBEARER]
    addressing: { mode: port-per-broker, brokerPortBase: 9100 }
  - name: b
    port: 9001
    tls: { cert: ../b.pem, key: b-key.pem }
    addressing: { mode: sni, domain: kgw.test }
upstream:
  bootstrap: [ "h:1" ]
  tls: { ca: upstream-ca.pem, cert: upstream/client.pem, key: /abs/upstream-key.pem }
  sasl: { mechanism: PLAIN, username: u, passwordFile: secrets/pw }
oauthbearer: { staticKeysFile: keys.json }
credentials: { seedFile: seed.yaml }
audit: { destination: logs/audit.log }
kerberos: { keytab: krb/gateway.keytab, servicePrincipal: '*' }
encryption:
  kms: { type: keyring, file: keys/keyring.json }
  topics: [{ prefix: secret., kek: orders }]
`;

/**
 * The other KMS and the other kind of upstream SASL (discriminated unions: one config holds one of
 * each).
 */
const PKCS11_YAML = YAML.replace(
  '{ type: keyring, file: keys/keyring.json }',
  '{ type: pkcs11, module: /usr/lib/softhsm/libsofthsm2.so, tokenLabel: kgw, pinFile: secrets/pin }',
).replace(
  '{ mechanism: PLAIN, username: u, passwordFile: secrets/pw }',
  '{ mechanism: OAUTHBEARER, tokenFile: secrets/token }',
);

/** Values at a dotted path with [] for arrays. */
function valuesAt(o: unknown, path: string): unknown[] {
  let cur: unknown[] = [o];
  for (const part of path.split('.')) {
    const many = part.endsWith('[]');
    const key = many ? part.slice(0, -2) : part;
    cur = cur.flatMap((v) => {
      const x = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      return many ? ((x as unknown[] | undefined) ?? []) : x === undefined ? [] : [x];
    });
  }
  return cur;
}

test('every file-path key is resolved against the config file folder, absolute ones kept', () => {
  const cfg = parseGatewayConfig(YAML, FILE);
  const keys = filePathKeys();
  assert.ok(keys.includes('audit.destination'), 'the audit log is a path (issue #12, finding 10)');
  const seen: string[] = [];
  for (const parsed of [cfg, parseGatewayConfig(PKCS11_YAML, FILE)]) {
    for (const key of keys) {
      for (const v of valuesAt(parsed, key)) {
        assert.equal(typeof v, 'string');
        assert.ok(isAbsolute(v as string), `${key} = ${String(v)}`);
        seen.push(key);
      }
    }
  }
  assert.deepEqual([...new Set(seen)].sort(), [...keys].sort(), 'the examples set every path key');
  assert.equal(cfg.kerberos!.keytab, '/etc/kgw/conf/krb/gateway.keytab');
  assert.equal(cfg.audit.destination, join(dirname(FILE), 'logs/audit.log'));
  assert.equal(cfg.listeners[0]!.tls!.key, '/abs/server-key.pem');
  assert.equal(cfg.listeners[1]!.tls!.cert, '/etc/kgw/b.pem');
  const sasl = cfg.upstream.sasl!;
  assert.equal(sasl.mechanism === 'PLAIN' && sasl.passwordFile, '/etc/kgw/conf/secrets/pw');
  assert.equal(cfg.upstream.tls!.cert, '/etc/kgw/conf/upstream/client.pem');
  assert.equal(cfg.upstream.tls!.key, '/abs/upstream-key.pem');
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  const inline = parseGatewayConfig(
    YAML.replace('ca: upstream-ca.pem', `ca: "${pem.replace(/\n/g, '\\n')}"`),
    FILE,
  );
  assert.equal(inline.upstream.tls!.ca, pem, 'PEM text in place of a path is kept as it is');
});

test('audit to stdout stays stdout; a config in the working directory resolves there', () => {
  const base = YAML.replace('destination: logs/audit.log', 'destination: stdout');
  assert.equal(parseGatewayConfig(base, FILE).audit.destination, 'stdout');
  const local = parseGatewayConfig(YAML, 'gateway.yaml');
  assert.equal(local.audit.destination, join(process.cwd(), 'logs/audit.log'));
});

test('no string key whose name says "file" is left unmarked', () => {
  const marked = new Set(filePathKeys());
  const json = z.toJSONSchema(gatewayConfigSchema, { io: 'output', unrepresentable: 'any' });
  const suspicious: string[] = [];
  const walk = (s: Record<string, unknown>, at: string): void => {
    for (const alt of ['oneOf', 'anyOf', 'allOf'] as const)
      for (const a of (s[alt] as Record<string, unknown>[] | undefined) ?? []) walk(a, at);
    if (s.items) walk(s.items as Record<string, unknown>, `${at}[]`);
    for (const [k, sub] of Object.entries((s.properties as Record<string, Record<string, unknown>>) ?? {})) {
      const path = at ? `${at}.${k}` : k;
      if (sub.type === 'string' && /(file|path|dir|cert|^key|^ca$|destination)$/i.test(k))
        suspicious.push(path);
      walk(sub, path);
    }
  };
  walk(json as Record<string, unknown>, '');
  assert.deepEqual(
    suspicious.filter((k) => !marked.has(k)),
    [],
  );
});
