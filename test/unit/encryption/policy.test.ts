/** The `encryption:` configuration block and how policies pick a topic's KEK and readers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseGatewayConfig } from '../../../gateway/config/load.js';
import { EncryptionPolicies } from '../../../gateway/encryption/index.js';

const base = `
listeners:
  - { name: a, port: 9999, allowPlaintext: true, saslMechanisms: [], addressing: { mode: port-per-broker, brokerPortBase: 9000 } }
upstream: { bootstrap: [127.0.0.1:9092] }
`;

describe('encryption configuration', () => {
  test('problems are named by file, line and path', () => {
    const yaml = `${base}encryption:
  kms: { type: pkcs11, module: /x.so, tokenLabel: t }
  dataKeys: { maxRecords: 99999999999 }
  topics:
    - { name: a, prefix: b, kek: "bad id" }
    - { prefix: c, kek: x, decryptFor: [alice] }
`;
    assert.throws(
      () => parseGatewayConfig(yaml, '/etc/gw.yaml'),
      (e: Error) =>
        /gw\.yaml:6: encryption\.kms: give exactly one of pin, pinFile/.test(e.message) &&
        /gw\.yaml:7: encryption\.dataKeys\.maxRecords: Too big/.test(e.message) &&
        /gw\.yaml:9: encryption\.topics\[0\]\.kek: 1-200 of/.test(e.message) &&
        /gw\.yaml:9: encryption\.topics\[0\]: give exactly one of name, prefix/.test(e.message) &&
        /gw\.yaml:10: encryption\.topics\[1\]\.decryptFor\[0\]: a principal/.test(e.message),
    );
  });

  test('relative keyring paths are relative to the configuration file; defaults filled in', () => {
    const cfg = parseGatewayConfig(
      `${base}encryption:\n  kms: { type: keyring, file: ring.json }\n  topics: [{ name: t, kek: k }]\n`,
      '/etc/kgw/gw.yaml',
    );
    assert.deepEqual(cfg.encryption!.kms, {
      type: 'keyring',
      file: '/etc/kgw/ring.json',
      checkIntervalMs: 1000,
    });
    assert.deepEqual(cfg.encryption!.dataKeys, {
      maxRecords: 1_000_000,
      maxAgeMs: 3_600_000,
      cacheSize: 4096,
    });
    assert.equal(parseGatewayConfig(base, 'x.yaml').encryption, undefined, 'no block: no encryption');
  });
});

describe('EncryptionPolicies', () => {
  const policies = new EncryptionPolicies([
    { prefix: 'pii-', kek: 'short', encryptHeaders: false },
    { prefix: 'pii-eu-', kek: 'long', encryptHeaders: true },
    { name: 'pii-eu-special', kek: 'exact', encryptHeaders: false, decryptFor: ['User:alice', 'Group:*'] },
  ]);

  test('an exact name wins, then the longest prefix; other topics are not encrypted', () => {
    assert.equal(policies.forTopic('pii-eu-special')?.kek, 'exact');
    assert.equal(policies.forTopic('pii-eu-other')?.kek, 'long');
    assert.equal(policies.forTopic('pii-us')?.kek, 'short');
    assert.equal(policies.forTopic('orders'), undefined);
    assert.equal(policies.forTopic('pii'), undefined);
  });

  test('decryptFor: listed principals and type wildcards; no list means every reader', () => {
    const exact = policies.forTopic('pii-eu-special')!;
    assert.ok(EncryptionPolicies.mayDecrypt(exact, 'User:alice'));
    assert.ok(!EncryptionPolicies.mayDecrypt(exact, 'User:bob'));
    assert.ok(EncryptionPolicies.mayDecrypt(exact, 'Group:ops'));
    assert.ok(EncryptionPolicies.mayDecrypt(policies.forTopic('pii-us')!, 'User:anyone'));
  });
});
