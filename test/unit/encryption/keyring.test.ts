/** The file keyring: format errors named by path, permission checks, rotation, wrap/unwrap. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  KeyringKms,
  emptyKeyring,
  keyringFileKms,
  parseKeyring,
  readKeyringFile,
  rotateKek,
  serializeKeyring,
  writeKeyringFile,
} from '../../../security/kms/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kgw-keyring-'));
const key32 = randomBytes(32).toString('base64');

describe('keyring format', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not JSON', '{', /ring\.json: \(document\): not JSON/],
    ['wrong format', { format: 'x', keks: {} }, /format: expected "kgw-keyring\/1"/],
    ['unknown field', { format: 'kgw-keyring/1', keks: {}, extra: 1 }, /extra: unknown field/],
    ['bad id', { format: 'kgw-keyring/1', keks: { 'a b': [] } }, /keks\.a b: a KEK id/],
    ['no versions', { format: 'kgw-keyring/1', keks: { a: [] } }, /keks\.a: expected a non-empty array/],
    [
      'short key',
      { format: 'kgw-keyring/1', keks: { a: [{ version: 1, created: 'x', key: 'AAAA' }] } },
      /keks\.a\[0\]\.key: expected 32 bytes, found 3/,
    ],
    [
      'duplicate version',
      {
        format: 'kgw-keyring/1',
        keks: {
          a: [
            { version: 1, created: 'x', key: key32 },
            { version: 1, created: 'y', key: key32 },
          ],
        },
      },
      /keks\.a\[1\]\.version: duplicate version 1/,
    ],
  ];
  for (const [what, doc, message] of cases) {
    test(`refused: ${what}`, () => {
      assert.throws(
        () => parseKeyring(typeof doc === 'string' ? doc : JSON.stringify(doc), '/etc/ring.json'),
        message,
      );
    });
  }

  test('serialize / parse round trip; rotation appends versions', () => {
    let ring = emptyKeyring();
    ring = rotateKek(ring, 'orders', new Date(0)).ring;
    const r2 = rotateKek(ring, 'orders', new Date(1000));
    assert.equal(r2.version, 2);
    assert.equal(ring.keks.get('orders')!.length, 1, 'the input ring is not changed');
    const back = parseKeyring(serializeKeyring(r2.ring), 'mem');
    assert.deepEqual(back, r2.ring);
  });
});

describe('keyring KMS', () => {
  test('wraps with the newest version, unwraps every version, fails closed otherwise', async () => {
    let ring = rotateKek(emptyKeyring(), 'orders', new Date()).ring;
    const kms = new KeyringKms(() => ring, 'test ring');
    const dek = randomBytes(32);
    const v1 = await kms.wrap('orders', dek);
    assert.equal(v1.kekVersion, 1);
    ring = rotateKek(ring, 'orders', new Date()).ring;
    const v2 = await kms.wrap('orders', dek);
    assert.equal(v2.kekVersion, 2);
    assert.deepEqual(await kms.unwrap(v1), dek, 'an old version still unwraps');
    assert.deepEqual(await kms.unwrap(v2), dek);
    await assert.rejects(kms.wrap('missing', dek), { code: 'UNKNOWN_KEK' });
    await assert.rejects(kms.unwrap({ ...v1, kekVersion: 9 }), { code: 'UNKNOWN_KEK' });
    const altered = Buffer.from(v1.wrapped);
    altered[20]! ^= 1;
    await assert.rejects(kms.unwrap({ ...v1, wrapped: altered }), { code: 'UNWRAP_FAILED' });
    // The KEK identity is authenticated: v1's bytes do not pass as version 2's.
    await assert.rejects(kms.unwrap({ ...v1, kekVersion: 2 }), { code: 'UNWRAP_FAILED' });
    // Crypto-shredding: a removed version makes its data keys unrecoverable.
    ring = { keks: new Map([['orders', ring.keks.get('orders')!.slice(1)]]) };
    await assert.rejects(kms.unwrap(v1), { code: 'UNKNOWN_KEK' });
  });
});

describe('keyring file', () => {
  test('refuses a file group or others can read, naming the file and the fix', () => {
    const file = join(dir, 'loose.json');
    writeFileSync(file, serializeKeyring(rotateKek(emptyKeyring(), 'a', new Date()).ring));
    chmodSync(file, 0o644);
    assert.throws(() => readKeyringFile(file), /loose\.json has mode 0644.*chmod 600/);
    chmodSync(file, 0o600);
    assert.equal(readKeyringFile(file).keks.size, 1);
    assert.throws(() => readKeyringFile(join(dir, 'absent.json')), { code: 'KMS_UNAVAILABLE' });
  });

  test('a rotation written to the file is used without a restart', async () => {
    const file = join(dir, 'ring.json');
    const first = rotateKek(emptyKeyring(), 'orders', new Date()).ring;
    writeKeyringFile(file, first);
    const kms = keyringFileKms(file, 0);
    const dek = randomBytes(32);
    const before = await kms.wrap('orders', dek);
    writeKeyringFile(file, rotateKek(readKeyringFile(file), 'orders', new Date()).ring);
    const after = await kms.wrap('orders', dek);
    assert.deepEqual([before.kekVersion, after.kekVersion], [1, 2]);
    assert.deepEqual(await kms.unwrap(before), dek);
    chmodSync(file, 0o666);
    await assert.rejects(kms.unwrap(after), /refusing keyring: .*mode 0666/, 'an unsafe file stops the KMS');
  });
});
