import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CredentialRecordError,
  CredentialStore,
  credentialKey,
  decodeCredentialRecord,
  parseCredentialKey,
} from '../../../security/credentials/index.js';
import { ScramClient, ScramServer, deriveScramCredential } from '../../../security/scram/index.js';

void describe('CredentialStore', () => {
  void it('set / get / describe / delete, with records to persist', () => {
    const s = new CredentialStore();
    const c = deriveScramCredential('SCRAM-SHA-256', 'pw', { iterations: 8192 });
    const rec = s.set('ali:ce', 'SCRAM-SHA-256', c);
    assert.equal(rec.key, 'scram:ali:ce:SCRAM-SHA-256');
    assert.deepEqual(s.get('ali:ce', 'SCRAM-SHA-256'), c);
    assert.deepEqual(s.describe('ali:ce'), [{ mechanism: 'SCRAM-SHA-256', iterations: 8192 }]);
    assert.equal(s.describe('nobody'), undefined);
    const t = s.delete('ali:ce', 'SCRAM-SHA-256');
    assert.deepEqual(t, { key: 'scram:ali:ce:SCRAM-SHA-256', value: null });
    assert.equal(s.delete('ali:ce', 'SCRAM-SHA-256'), undefined);
    assert.equal(s.size, 0);
  });

  void it('replaying records (including tombstones) rebuilds the same store', () => {
    const a = new CredentialStore();
    const log: { key: string; value: Buffer | null }[] = [];
    log.push(a.set('alice', 'SCRAM-SHA-256', deriveScramCredential('SCRAM-SHA-256', 'a')));
    log.push(a.set('alice', 'SCRAM-SHA-512', deriveScramCredential('SCRAM-SHA-512', 'a')));
    log.push(a.set('bob', 'SCRAM-SHA-512', deriveScramCredential('SCRAM-SHA-512', 'b')));
    const tomb = a.delete('alice', 'SCRAM-SHA-512');
    if (tomb) log.push(tomb);
    const b = new CredentialStore();
    for (const r of log) b.applyRecord(r.key, r.value);
    assert.deepEqual(b.listUsers().sort(), ['alice', 'bob']);
    assert.deepEqual(b.get('alice', 'SCRAM-SHA-256'), a.get('alice', 'SCRAM-SHA-256'));
    assert.equal(b.get('alice', 'SCRAM-SHA-512'), undefined);
    assert.equal([...b.records()].length, 2);
  });

  void it('serves a ScramServer', () => {
    const s = new CredentialStore();
    s.set('alice', 'SCRAM-SHA-512', deriveScramCredential('SCRAM-SHA-512', 'pw'));
    const server = new ScramServer({
      mechanism: 'SCRAM-SHA-512',
      lookup: s.lookupFor('SCRAM-SHA-512'),
      fakeCredentialSecret: Buffer.alloc(16, 1),
    });
    const client = new ScramClient({ mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'pw' });
    const s1 = server.evaluate(client.first());
    const s2 = server.evaluate(client.final(s1.challenge));
    client.verify(s2.challenge);
    assert.ok(s2.done);
  });

  void it('refuses weak iterations and bad records', () => {
    const s = new CredentialStore();
    const c = { ...deriveScramCredential('SCRAM-SHA-256', 'pw'), iterations: 1000 };
    assert.throws(() => s.set('a', 'SCRAM-SHA-256', c), RangeError);
    assert.throws(() => parseCredentialKey('scram:alice:SCRAM-SHA-1'), CredentialRecordError);
    assert.throws(() => parseCredentialKey('acl:x'), CredentialRecordError);
    assert.throws(
      () => decodeCredentialRecord(credentialKey('a', 'SCRAM-SHA-256'), Buffer.from('{"v":2}')),
      CredentialRecordError,
    );
    const good = deriveScramCredential('SCRAM-SHA-512', 'pw');
    const wrongLen = JSON.stringify({
      v: 1,
      salt: good.salt.toString('base64'),
      storedKey: good.storedKey.toString('base64'),
      serverKey: good.serverKey.toString('base64'),
      iterations: 4096,
    });
    assert.throws(
      () => decodeCredentialRecord(credentialKey('a', 'SCRAM-SHA-256'), Buffer.from(wrongLen)),
      CredentialRecordError,
    );
  });
});
