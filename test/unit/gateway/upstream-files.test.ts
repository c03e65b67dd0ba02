/**
 * The gateway checks the files its `upstream` names when its configuration is loaded (as the monitor
 * and the mirror do, with the same client/cluster-connection.ts check), so a wrong path stops
 * `kgw gateway` at start with `file:line: upstream.…: what is wrong` instead of failing at the first
 * upstream connection; and no message carries a file's contents or a password.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, describe, test } from 'node:test';
import { ConfigError } from '../../../config/errors.js';
import { loadGatewayConfig, parseGatewayConfig } from '../../../gateway/config/load.js';
import { upstreamConnectionOptions } from '../../../gateway/upstream/client-options.js';
import { createCa, createClientCert } from '../../../security/pki/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kgw-upstream-files-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

/** Text that must never appear in a message: it stands for a file's (secret) contents. */
const CONTENT = 'do-not-print-this-content';
const KEY_PASSWORD = 'key-pass-never-printed';

/** A small PKI: a CA certificate, and a client certificate it signed with that certificate's key. */
let pki: { ca: string; cert: string; key: string };
/** A private key that belongs to no certificate here. */
let otherKey: string;
/** The client key, encrypted with KEY_PASSWORD. */
let encryptedKey: string;
before(() => {
  // Certificates from security/pki directly: no PKCS#12 stores, which cost seconds and are not used.
  const ca = createCa();
  const client = createClientCert(ca, { subject: 'CN=gw' });
  mkdirSync(join(dir, 'pki'));
  pki = {
    ca: write('pki/ca.pem', ca.certPem),
    cert: write('pki/gw.pem', client.certPem),
    key: write('pki/gw-key.pem', client.keyPem),
  };
  otherKey = write(
    'other-key.pem',
    generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  );
  encryptedKey = write(
    'gw-key-encrypted.pem',
    createPrivateKey(readFileSync(pki.key))
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: KEY_PASSWORD })
      .toString(),
  );
  write('not-pem.pem', `${CONTENT}\n`);
  write('empty', '');
  write('password', 'gw-secret\n');
  mkdirSync(join(dir, 'a-directory'));
});

/** A gateway file whose upstream section is `upstream` (lines 4 onwards: `tls` is line 5). */
const gatewayYaml = (tls: string, sasl = ''): string =>
  [
    'listeners:',
    '  - { name: l, port: 9092, allowPlaintext: true, addressing: { mode: port-per-broker, brokerPortBase: 40000 } }',
    'upstream:',
    '  bootstrap: [broker-1:9093]',
    `  tls: ${tls}`,
    ...(sasl ? [`  sasl: ${sasl}`] : []),
  ].join('\n') + '\n';

/** A line from inside each PEM file the tests name (key and certificate material). */
const pemBodies = (): string[] =>
  [pki.ca, pki.cert, pki.key, otherKey, encryptedKey].map((f) => readFileSync(f, 'utf8').split('\n')[1]!);

/** Loading refuses the file with exactly one problem matching `expected`, and no secret in it. */
function refused(name: string, yaml: string, expected: RegExp): void {
  const file = write(name, yaml);
  assert.throws(
    () => loadGatewayConfig(file),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.problems.length, 1, e.message);
      assert.match(e.message, expected);
      assert.ok(e.message.startsWith(`${file}:`), e.message);
      for (const secret of [CONTENT, KEY_PASSWORD, 'wrong-pass', 'gw-secret', ...pemBodies()])
        assert.ok(!e.message.includes(secret), `no "${secret}" in: ${e.message}`);
      return true;
    },
  );
}

describe('gateway: upstream files are checked when the configuration is loaded', () => {
  test('usable files load, and are what the upstream connection uses', () => {
    const cfg = loadGatewayConfig(
      write(
        'ok.yaml',
        gatewayYaml(
          `{ ca: ${relative(dir, pki.ca)}, cert: ${pki.cert}, key: gw-key-encrypted.pem, keyPassword: ${KEY_PASSWORD} }`,
          '{ mechanism: SCRAM-SHA-512, username: gw, passwordFile: password }',
        ),
      ),
    );
    assert.equal(cfg.upstream.tls!.ca, pki.ca, 'relative to the configuration file');
    const options = upstreamConnectionOptions(cfg.upstream, 'kgw-gateway');
    assert.equal(options.tls!.ca, readFileSync(pki.ca, 'utf8'));
    assert.equal(options.tls!.key, readFileSync(encryptedKey, 'utf8'));
    assert.deepEqual(options.sasl, { mechanism: 'SCRAM-SHA-512', username: 'gw', password: 'gw-secret' });
  });

  test('a missing or unreadable CA names upstream.tls.ca and its line', () => {
    refused(
      'ca-missing.yaml',
      gatewayYaml('{ ca: nowhere/ca.pem }'),
      /:5: upstream\.tls\.ca: cannot read .*nowhere\/ca\.pem: ENOENT$/,
    );
    refused(
      'ca-dir.yaml',
      gatewayYaml('{ ca: a-directory }'),
      /:5: upstream\.tls\.ca: cannot read .*a-directory: EISDIR$/,
    );
  });

  test('a file that is not PEM, or PEM of the wrong kind, is refused', () => {
    refused(
      'ca-not-pem.yaml',
      gatewayYaml('{ ca: not-pem.pem }'),
      /:5: upstream\.tls\.ca: .*not-pem\.pem is not PEM/,
    );
    refused(
      'key-is-cert.yaml',
      gatewayYaml(`{ cert: ${pki.cert}, key: ${pki.ca} }`),
      /:5: upstream\.tls\.key: .* is not PEM \(no PRIVATE KEY-----\)$/,
    );
  });

  test('a key that does not fit the certificate, or a wrong keyPassword, is unusable', () => {
    refused(
      'key-mismatch.yaml',
      gatewayYaml(`{ cert: ${pki.cert}, key: ${otherKey} }`),
      /:5: upstream\.tls\.key: unusable: .*key values mismatch/,
    );
    refused(
      'key-password.yaml',
      gatewayYaml(`{ cert: ${pki.cert}, key: ${encryptedKey}, keyPassword: wrong-pass }`),
      /:5: upstream\.tls\.key: unusable: /,
    );
  });

  test('the SASL password and token files: missing or empty', () => {
    refused(
      'password-missing.yaml',
      gatewayYaml('true', '{ mechanism: PLAIN, username: gw, passwordFile: /nonexistent/kgw/pw }'),
      /:6: upstream\.sasl\.passwordFile: cannot read \/nonexistent\/kgw\/pw: ENOENT$/,
    );
    refused(
      'password-empty.yaml',
      gatewayYaml('true', '{ mechanism: SCRAM-SHA-256, username: gw, passwordFile: empty }'),
      /:6: upstream\.sasl\.passwordFile: .*empty is empty$/,
    );
    refused(
      'token-missing.yaml',
      gatewayYaml('true', '{ mechanism: OAUTHBEARER, tokenFile: token }'),
      /:6: upstream\.sasl\.tokenFile: cannot read .*token: ENOENT$/,
    );
  });

  test('a PEM body given without its BEGIN line (as a secret reference may yield) is not printed back', () => {
    const body = readFileSync(pki.key, 'utf8').split('\n').slice(1, -2).join('');
    refused(
      'ca-body.yaml',
      gatewayYaml(`{ ca: "${body}" }`),
      /:5: upstream\.tls\.ca: cannot read the value given/,
    );
  });

  test('a missing bootstrap says what is required', () => {
    const file = write(
      'no-bootstrap.yaml',
      gatewayYaml('true').replace('  bootstrap: [broker-1:9093]\n', ''),
    );
    assert.throws(() => loadGatewayConfig(file), /upstream\.bootstrap: required: the bootstrap servers/);
  });

  test('parseGatewayConfig (text) checks as loadGatewayConfig (file) does', () => {
    assert.throws(
      () => parseGatewayConfig(gatewayYaml('{ ca: missing.pem }'), join(dir, 'inline.yaml')),
      /inline\.yaml:5: upstream\.tls\.ca: cannot read .*missing\.pem: ENOENT/,
    );
  });
});
