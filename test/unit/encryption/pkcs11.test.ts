/**
 * The PKCS#11 KMS against a real SoftHSM2 token (Debian's softhsm2, installed by deploy/setup.sh):
 * KEKs generated inside the token, not extractable, wrap/unwrap with CKM_AES_GCM, rotation.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Pkcs11Kms } from '../../../security/kms/index.js';
import { loadPkcs11Binding } from '../../../security/kms/pkcs11-binding.js';
import { softHsmToken, type SoftHsmToken } from '../../harness/encryption/softhsm.js';

let token: SoftHsmToken;
before(() => {
  token = softHsmToken('kgw-unit');
});
after(() => token?.remove());

describe('PKCS#11 KMS (SoftHSM2)', () => {
  test('rotation, wrap with the newest version, unwrap every version, tampering refused', async () => {
    const kms = new Pkcs11Kms(token.options);
    const other = new Pkcs11Kms(token.options); // a second user of the same module and token
    try {
      assert.equal(kms.rotate('orders'), 1);
      const dek = randomBytes(32);
      const v1 = await kms.wrap('orders', dek);
      assert.equal(v1.kekVersion, 1);
      assert.ok(!v1.wrapped.includes(dek));
      assert.equal(other.rotate('orders'), 2, 'the other instance sees version 1 on the token');
      const v2 = await kms.wrap('orders', dek);
      assert.equal(v2.kekVersion, 2, 'a rotation by another process is picked up');
      assert.deepEqual(await other.unwrap(v1), dek);
      assert.deepEqual(await other.unwrap(v2), dek);
      const altered = Buffer.from(v2.wrapped);
      altered[15]! ^= 1;
      await assert.rejects(kms.unwrap({ ...v2, wrapped: altered }), { code: 'UNWRAP_FAILED' });
      await assert.rejects(kms.unwrap({ ...v1, kekVersion: 2 }), { code: 'UNWRAP_FAILED' });
      await assert.rejects(kms.unwrap({ ...v1, kekVersion: 3 }), { code: 'UNKNOWN_KEK' });
      await assert.rejects(kms.wrap('missing', dek), { code: 'UNKNOWN_KEK' });
      assert.deepEqual([...kms.list()], [['orders', [1, 2]]]);
    } finally {
      await other.close();
      await kms.close();
    }
  });

  test('KEKs are generated sensitive and non-extractable: their value cannot be read out', async () => {
    const kms = new Pkcs11Kms(token.options);
    kms.rotate('sealed');
    await kms.close();
    // A raw PKCS#11 session of our own, outside the KMS, asks the token for the key's value.
    const lib = loadPkcs11Binding();
    const p11 = new lib.PKCS11();
    p11.load(token.options.module);
    p11.C_Initialize();
    try {
      const slot = p11
        .C_GetSlotList(true)
        .find((s) => p11.C_GetTokenInfo(s).label.trim() === token.options.tokenLabel)!;
      const session = p11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION);
      p11.C_Login(session, lib.CKU_USER, token.options.pin);
      p11.C_FindObjectsInit(session, [{ type: lib.CKA_LABEL, value: 'kgw-kek/sealed/1' }]);
      const handle = p11.C_FindObjects(session);
      p11.C_FindObjectsFinal(session);
      assert.ok(handle, 'the KEK object exists');
      const attrs = p11.C_GetAttributeValue(session, handle, [
        { type: lib.CKA_SENSITIVE },
        { type: lib.CKA_EXTRACTABLE },
      ]);
      assert.deepEqual(
        attrs.map((a) => (a.value as Buffer)[0]),
        [1, 0],
      );
      assert.throws(
        () => p11.C_GetAttributeValue(session, handle, [{ type: lib.CKA_VALUE }]),
        /CKR_ATTRIBUTE_SENSITIVE/,
      );
    } finally {
      p11.C_Finalize();
    }
  });

  test('a wrong PIN or an unknown token is a clear start-up error', () => {
    assert.throws(() => new Pkcs11Kms({ ...token.options, pin: 'wrong' }), /CKR_PIN_INCORRECT/);
    assert.throws(() => new Pkcs11Kms({ ...token.options, tokenLabel: 'nope' }), /no token labelled "nope"/);
  });
});
