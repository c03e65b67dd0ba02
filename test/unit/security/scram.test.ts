import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScramCredential, ScramMechanismName } from '../../../security/scram/index.js';
import {
  ScramClient,
  ScramError,
  ScramServer,
  clientKey,
  credentialFromSaltedPassword,
  decodeSaslName,
  deriveScramCredential,
  encodeSaslName,
  h,
  hi,
  hmac,
  parseClientFirst,
  serverKey,
  storedKey,
  xor,
} from '../../../security/scram/index.js';

const SECRET = Buffer.alloc(32, 7);

function serverFor(
  mechanism: ScramMechanismName,
  users: Record<string, ScramCredential>,
  extra: Partial<ConstructorParameters<typeof ScramServer>[0]> = {},
) {
  return new ScramServer({ mechanism, lookup: (u) => users[u], fakeCredentialSecret: SECRET, ...extra });
}

void describe('SCRAM test vectors', () => {
  void it('RFC 7677 SCRAM-SHA-256 full exchange, byte for byte', () => {
    const cred = deriveScramCredential('SCRAM-SHA-256', 'pencil', {
      salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
      iterations: 4096,
    });
    const server = serverFor(
      'SCRAM-SHA-256',
      { user: cred },
      { serverNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' },
    );
    const client = new ScramClient({
      mechanism: 'SCRAM-SHA-256',
      username: 'user',
      password: 'pencil',
      nonce: 'rOprNGfwEbeRWgbNEkqO',
    });
    const c1 = client.first();
    assert.equal(c1.toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const s1 = server.evaluate(c1);
    assert.equal(
      s1.challenge.toString(),
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    const c2 = client.final(s1.challenge);
    assert.equal(
      c2.toString(),
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    const s2 = server.evaluate(c2);
    assert.equal(s2.done, true);
    assert.equal(s2.challenge.toString(), 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    client.verify(s2.challenge);
    assert.equal(client.isComplete, true);
    assert.equal(server.state, 'COMPLETE');
    if (s2.done) assert.equal(s2.result.principalName, 'user');
  });

  void it('RFC 5802 SCRAM-SHA-1 vector with the same primitives', () => {
    const salted = hi('sha1', 'pencil', Buffer.from('QSXCR+Q6sek8bf92', 'base64'), 4096);
    const bare = 'n=user,r=fyko+d2lbbFgONRv9qkxdawL';
    const sf = 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096';
    const cfWithoutProof = 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j';
    const auth = `${bare},${sf},${cfWithoutProof}`;
    const ck = clientKey('sha1', salted);
    const proof = xor(ck, hmac('sha1', storedKey('sha1', ck), auth));
    assert.equal(proof.toString('base64'), 'v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
    assert.equal(
      hmac('sha1', serverKey('sha1', salted), auth).toString('base64'),
      'rmF9pqV8S7suAoZWja4dJRkFsKQ=',
    );
  });
});

function exchange(
  server: ScramServer,
  client: ScramClient,
): { ok: true } | { ok: false; error: ScramError; step: number } {
  let step = 1;
  try {
    const s1 = server.evaluate(client.first());
    step = 2;
    const s2 = server.evaluate(client.final(s1.challenge));
    step = 3;
    client.verify(s2.challenge);
    return { ok: true };
  } catch (e) {
    assert.ok(e instanceof ScramError, String(e));
    return { ok: false, error: e, step };
  }
}

void describe('SCRAM round trips', () => {
  for (const mech of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    void it(`${mech}: correct password, odd user name`, () => {
      const name = 'al,i=ce';
      const server = serverFor(mech, {
        [name]: deriveScramCredential(mech, 'päss wörd', { iterations: 8192 }),
      });
      const client = new ScramClient({ mechanism: mech, username: name, password: 'päss wörd' });
      assert.deepEqual(exchange(server, client), { ok: true });
    });
    void it(`${mech}: wrong password fails at the final step with invalid-proof`, () => {
      const server = serverFor(mech, { alice: deriveScramCredential(mech, 'right') });
      const r = exchange(server, new ScramClient({ mechanism: mech, username: 'alice', password: 'wrong' }));
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.step, 2);
        assert.equal(r.error.code, 'invalid-proof');
        assert.equal(r.error.reason, 'wrong-password');
        assert.equal(r.error.serverFinalMessage().toString(), 'e=invalid-proof');
      }
      assert.equal(server.state, 'FAILED');
    });
  }

  void it('unknown user: same shape challenge, stable salt, same failure as a wrong password', () => {
    const real = deriveScramCredential('SCRAM-SHA-256', 'pw');
    const server1 = serverFor('SCRAM-SHA-256', { alice: real });
    const client1 = new ScramClient({
      mechanism: 'SCRAM-SHA-256',
      username: 'mallory',
      password: 'x',
      nonce: 'abc',
    });
    const ch1 = server1.evaluate(client1.first()).challenge.toString();
    const shape = /^r=abc[0-9a-z]+,s=([A-Za-z0-9+/=]+),i=4096$/;
    assert.match(ch1, shape);
    const realCh = serverFor('SCRAM-SHA-256', { alice: real })
      .evaluate(
        new ScramClient({
          mechanism: 'SCRAM-SHA-256',
          username: 'alice',
          password: 'x',
          nonce: 'abc',
        }).first(),
      )
      .challenge.toString();
    assert.match(realCh, shape);
    // Both salts decode to base-36 text of similar length.
    for (const ch of [ch1, realCh])
      assert.match(Buffer.from(shape.exec(ch)?.[1] ?? '', 'base64').toString(), /^[0-9a-z]{20,26}$/);
    // Same salt on a second attempt.
    const ch2 = serverFor('SCRAM-SHA-256', {})
      .evaluate(
        new ScramClient({
          mechanism: 'SCRAM-SHA-256',
          username: 'mallory',
          password: 'y',
          nonce: 'abc',
        }).first(),
      )
      .challenge.toString();
    assert.equal(shape.exec(ch1)?.[1], shape.exec(ch2)?.[1]);
    const r = exchange(
      serverFor('SCRAM-SHA-256', {}),
      new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'mallory', password: 'x' }),
    );
    const w = exchange(
      serverFor('SCRAM-SHA-256', { alice: real }),
      new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'bad' }),
    );
    assert.ok(!r.ok && !w.ok);
    if (!r.ok && !w.ok) {
      assert.equal(r.step, w.step);
      assert.equal(r.error.code, w.error.code);
      assert.equal(r.error.message, w.error.message);
      assert.deepEqual(r.error.serverFinalMessage(), w.error.serverFinalMessage());
      assert.equal(r.error.reason, 'unknown-user');
    }
  });

  void it('authzid equal to user is accepted, different is refused', () => {
    const users = { alice: deriveScramCredential('SCRAM-SHA-512', 'pw') };
    assert.deepEqual(
      exchange(
        serverFor('SCRAM-SHA-512', users),
        new ScramClient({ mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'pw', authzid: 'alice' }),
      ),
      { ok: true },
    );
    const r = exchange(
      serverFor('SCRAM-SHA-512', users),
      new ScramClient({ mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'pw', authzid: 'bob' }),
    );
    assert.ok(!r.ok && r.step === 1 && r.error.reason === 'authzid-mismatch');
  });

  void it('delegation token (tokenauth=true) authenticates as the token owner with its expiry', () => {
    const tokenCred = deriveScramCredential('SCRAM-SHA-256', 'hmac-of-token');
    const server = serverFor(
      'SCRAM-SHA-256',
      {},
      {
        tokenLookup: (id) =>
          id === 'tok1' ? { owner: 'alice', expiryTimestampMs: 1234, credential: tokenCred } : undefined,
      },
    );
    const client = new ScramClient({
      mechanism: 'SCRAM-SHA-256',
      username: 'tok1',
      password: 'hmac-of-token',
      extensions: { tokenauth: 'true' },
    });
    const s1 = server.evaluate(client.first());
    const s2 = server.evaluate(client.final(s1.challenge));
    assert.ok(s2.done);
    if (s2.done) {
      assert.equal(s2.result.principalName, 'alice');
      assert.equal(s2.result.tokenAuthenticated, true);
      assert.equal(s2.result.tokenExpiryTimestampMs, 1234);
    }
  });

  void it('credential from salted password (AlterUserScramCredentials) equals derived one', () => {
    const salt = Buffer.from('saltsalt');
    const d = deriveScramCredential('SCRAM-SHA-256', 'pw', { salt, iterations: 4096 });
    const s = credentialFromSaltedPassword('SCRAM-SHA-256', salt, hi('sha256', 'pw', salt, 4096), 4096);
    assert.deepEqual(s, d);
  });

  void it('enforces iteration bounds', () => {
    assert.throws(() => deriveScramCredential('SCRAM-SHA-256', 'pw', { iterations: 4095 }), RangeError);
    assert.throws(() => deriveScramCredential('SCRAM-SHA-256', 'pw', { iterations: 16385 }), RangeError);
    // The client refuses a server announcing too few iterations.
    const client = new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'u', password: 'p', nonce: 'n1' });
    client.first();
    assert.throws(
      () => client.final(Buffer.from('r=n1xyz,s=c2FsdA==,i=1000')),
      (e: unknown) => e instanceof ScramError && e.reason === 'iterations-too-low',
    );
    // The server refuses a stored credential with too few iterations.
    const weak = { ...deriveScramCredential('SCRAM-SHA-256', 'p'), iterations: 100 };
    assert.throws(
      () => serverFor('SCRAM-SHA-256', { u: weak }).evaluate(Buffer.from('n,,n=u,r=abc')),
      ScramError,
    );
  });

  void it('client rejects a forged server signature', () => {
    const server = serverFor('SCRAM-SHA-256', { u: deriveScramCredential('SCRAM-SHA-256', 'p') });
    const client = new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'u', password: 'p' });
    const s1 = server.evaluate(client.first());
    server.evaluate(client.final(s1.challenge));
    assert.throws(
      () => client.verify(Buffer.from('v=' + Buffer.alloc(32).toString('base64'))),
      (e: unknown) => e instanceof ScramError && e.reason === 'server-signature-mismatch',
    );
  });
});

void describe('SCRAM malformed input', () => {
  const users = { u: deriveScramCredential('SCRAM-SHA-256', 'p') };
  const firsts: [string, string][] = [
    ['', 'invalid-encoding'],
    ['garbage', 'invalid-encoding'],
    ['x,,n=u,r=abc', 'invalid-encoding'],
    ['p=tls-unique,,n=u,r=abc', 'channel-binding-not-supported'],
    ['n,,m=ext,n=u,r=abc', 'extensions-not-supported'],
    ['n,,n=u', 'invalid-encoding'],
    ['n,,r=abc,n=u', 'invalid-encoding'],
    ['n,,n=u=2X,r=abc', 'invalid-username-encoding'],
    ['n,,n=,r=abc', 'invalid-username-encoding'],
    ['n,,n=u,r=', 'invalid-encoding'],
    ['n,,n=u,r=abc,1bad=x', 'invalid-encoding'],
    ['n,b=u,n=u,r=abc', 'invalid-encoding'],
  ];
  for (const [msg, code] of firsts) {
    void it(`client-first ${JSON.stringify(msg)} → ${code}`, () => {
      const s = serverFor('SCRAM-SHA-256', users);
      assert.throws(
        () => s.evaluate(Buffer.from(msg)),
        (e: unknown) => e instanceof ScramError && e.code === code,
      );
      assert.equal(s.state, 'FAILED');
      assert.throws(() => s.evaluate(Buffer.from('n,,n=u,r=abc')), ScramError);
    });
  }
  void it('invalid UTF-8 → invalid-encoding', () => {
    assert.throws(
      () => parseClientFirst(Buffer.from([0x6e, 0x2c, 0x2c, 0xff])),
      (e: unknown) => e instanceof ScramError && e.code === 'invalid-encoding',
    );
  });

  const finals: [string, (nonce: string) => string, string][] = [
    ['no proof', (n) => `c=biws,r=${n}`, 'invalid-encoding'],
    ['bad base64 proof', (n) => `c=biws,r=${n},p=@@@`, 'invalid-encoding'],
    ['wrong channel binding', (n) => `c=eSws,r=${n},p=AAAA`, 'channel-bindings-dont-match'],
    ['wrong nonce', () => `c=biws,r=abcX,p=AAAA`, 'other-error'],
    ['short proof', (n) => `c=biws,r=${n},p=AAAA`, 'invalid-proof'],
  ];
  for (const [name, make, code] of finals) {
    void it(`client-final ${name} → ${code}`, () => {
      const s = serverFor('SCRAM-SHA-256', users, { serverNonce: () => 'SRV' });
      s.evaluate(Buffer.from('n,,n=u,r=abc'));
      assert.throws(
        () => s.evaluate(Buffer.from(make('abcSRV'))),
        (e: unknown) => e instanceof ScramError && e.code === code,
      );
    });
  }

  void it('accepts the final nonce librdkafka sends (client nonce + combined nonce), as Kafka does', () => {
    const s = serverFor('SCRAM-SHA-256', users, { serverNonce: () => 'SRV' });
    const step = s.evaluate(Buffer.from('n,,n=u,r=abc'));
    const serverFirst = step.challenge.toString('utf8');
    const cred = users.u;
    const withoutProof = `c=biws,r=abc${'abcSRV'}`;
    const authMessage = `n=u,r=abc,${serverFirst},${withoutProof}`;
    const salted = hi('sha256', 'p', cred.salt, cred.iterations);
    const ck = clientKey('sha256', salted);
    const proof = xor(ck, hmac('sha256', h('sha256', ck), authMessage));
    const done = s.evaluate(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
    assert.equal(done.done, true);
  });

  void it('saslname escaping round-trips', () => {
    for (const n of ['a', 'a,b', 'a=b', '=2C', ',,==']) assert.equal(decodeSaslName(encodeSaslName(n)), n);
    assert.equal(encodeSaslName('a,b=c'), 'a=2Cb=3Dc');
    assert.equal(decodeSaslName('a=2Cb=3Dc'), 'a,b=c');
    assert.equal(decodeSaslName('a=b'), undefined);
  });
});
