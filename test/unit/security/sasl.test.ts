import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import {
  OAuthBearerError,
  PlainAuthError,
  constantTimeEqual,
  createOAuthTokenValidator,
  formatOAuthBearerClientResponse,
  formatPlainMessage,
  isOAuthBearerErrorAck,
  oauthBearerErrorChallenge,
  parseOAuthBearerClientResponse,
  parsePlainMessage,
  verifyPasswordAgainstScram,
  verifyPlainPassword,
} from '../../../security/sasl/index.js';
import { deriveScramCredential } from '../../../security/scram/index.js';

void describe('SASL/PLAIN', () => {
  void it('parses the three fields', () => {
    assert.deepEqual(parsePlainMessage(formatPlainMessage('alice', 'pw')), {
      authzid: '',
      username: 'alice',
      password: 'pw',
    });
    assert.deepEqual(parsePlainMessage(formatPlainMessage('alice', 'p\u00e4ss', 'alice')), {
      authzid: 'alice',
      username: 'alice',
      password: 'p\u00e4ss',
    });
  });
  const bad: [string, string, string][] = [
    ['two tokens', 'alice\u0000pw', 'malformed'],
    ['four tokens', '\u0000a\u0000b\u0000c', 'malformed'],
    ['empty user', '\u0000\u0000pw', 'empty-username'],
    ['empty password', '\u0000alice\u0000', 'empty-password'],
    ['authzid mismatch', 'bob\u0000alice\u0000pw', 'authzid-mismatch'],
  ];
  for (const [name, msg, reason] of bad)
    void it(name, () =>
      assert.throws(
        () => parsePlainMessage(Buffer.from(msg)),
        (e: unknown) => e instanceof PlainAuthError && e.reason === reason,
      ),
    );
  void it('invalid UTF-8', () =>
    assert.throws(() => parsePlainMessage(Buffer.from([0, 0x61, 0, 0xff])), PlainAuthError));
  void it('constant-time helpers', () => {
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(constantTimeEqual('abc', 'abd'), false);
    assert.equal(constantTimeEqual('abc', 'abcd'), false);
    assert.equal(constantTimeEqual(Buffer.from('x'), 'x'), true);
    assert.equal(verifyPlainPassword('s3cret', 's3cret'), true);
    assert.equal(verifyPlainPassword('s3cret', 's3cre'), false);
  });
  void it('password against a stored SCRAM credential', () => {
    const c = deriveScramCredential('SCRAM-SHA-256', 'pw');
    assert.equal(verifyPasswordAgainstScram('pw', c, 'SCRAM-SHA-256'), true);
    assert.equal(verifyPasswordAgainstScram('pW', c, 'SCRAM-SHA-256'), false);
  });
});

void describe('SASL/OAUTHBEARER client response', () => {
  void it('round trip with extensions and authzid', () => {
    const msg = formatOAuthBearerClientResponse(
      'aaa.bbb.ccc',
      { traceId: 'x y', logicalCluster: 'lc-1' },
      'al,ice',
    );
    assert.equal(
      msg.toString(),
      'n,a=al=2Cice,\u0001auth=Bearer aaa.bbb.ccc\u0001traceId=x y\u0001logicalCluster=lc-1\u0001\u0001',
    );
    const p = parseOAuthBearerClientResponse(msg);
    assert.equal(p.token, 'aaa.bbb.ccc');
    assert.equal(p.authzid, 'al,ice');
    assert.deepEqual(
      [...p.extensions],
      [
        ['traceId', 'x y'],
        ['logicalCluster', 'lc-1'],
      ],
    );
  });
  void it('Kafka client shape "n,,\\x01auth=Bearer <token>\\x01\\x01"', () => {
    assert.equal(
      parseOAuthBearerClientResponse(Buffer.from('n,,\u0001auth=Bearer abc\u0001\u0001')).token,
      'abc',
    );
    assert.equal(
      parseOAuthBearerClientResponse(Buffer.from('n,,\u0001auth=bearer  abc\u0001\u0001')).token,
      'abc',
    );
  });
  const bad: [string, string][] = [
    ['no auth', 'n,,\u0001foo=bar\u0001\u0001'],
    ['wrong scheme', 'n,,\u0001auth=Basic abc\u0001\u0001'],
    ['bad token chars', 'n,,\u0001auth=Bearer a$b\u0001\u0001'],
    ['missing final separator', 'n,,\u0001auth=Bearer abc\u0001'],
    ['y flag', 'y,,\u0001auth=Bearer abc\u0001\u0001'],
    ['bad key', 'n,,\u0001auth=Bearer abc\u00011x=y\u0001\u0001'],
  ];
  for (const [name, msg] of bad)
    void it(`rejects ${name}`, () =>
      assert.throws(() => parseOAuthBearerClientResponse(Buffer.from(msg)), OAuthBearerError));
  void it('rejects reserved or invalid extension names when formatting', () => {
    assert.throws(() => formatOAuthBearerClientResponse('t', { auth: 'x' }), OAuthBearerError);
    assert.throws(() => formatOAuthBearerClientResponse('t', { 'a-b': 'x' }), OAuthBearerError);
  });
  void it('error challenge and ack', () => {
    assert.equal(oauthBearerErrorChallenge().toString(), '{"status":"invalid_token"}');
    assert.equal(isOAuthBearerErrorAck(Buffer.from([1])), true);
    assert.equal(isOAuthBearerErrorAck(Buffer.from([1, 1])), false);
  });
});

void describe('OAuth JWT validation (jose)', () => {
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let jwk: JWK;
  let url = '';
  let jwksHits = 0;
  const server = createServer((_req, res) => {
    jwksHits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, key: CryptoKey = privateKey, kid = 'k1') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(key);

  before(async () => {
    const kp = await generateKeyPair('ES256');
    privateKey = kp.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    jwk = { ...(await exportJWK(kp.publicKey)), kid: 'k1', alg: 'ES256' };
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  after(() => {
    server.close();
  });

  const base = () => ({ iss: 'https://idp', aud: 'kafka', sub: 'alice', exp: now + 600, iat: now });

  void it('valid token from a JWKS URL: principal, expiry, scopes', async () => {
    const v = createOAuthTokenValidator({ jwksUrl: url, issuer: 'https://idp', audience: 'kafka' });
    const r = await v(await sign({ ...base(), scope: 'read write' }));
    assert.equal(r.principalName, 'alice');
    assert.equal(r.expiresAtMs, (now + 600) * 1000);
    assert.deepEqual(r.scopes, ['read', 'write']);
    assert.ok(jwksHits >= 1);
  });

  void it('custom principal claim (sasl.oauthbearer.sub.claim.name)', async () => {
    const v = createOAuthTokenValidator({ jwksUrl: url, subClaimName: 'client_id' });
    assert.equal((await v(await sign({ ...base(), client_id: 'svc-1' }))).principalName, 'svc-1');
    await assert.rejects(
      v(await sign({ ...base() })),
      (e: unknown) => e instanceof OAuthBearerError && e.reason === 'missing-principal',
    );
  });

  void it('static keys (JWKS object)', async () => {
    const v = createOAuthTokenValidator({ keys: { keys: [jwk] } });
    assert.equal((await v(await sign(base()))).principalName, 'alice');
  });

  const failures: [
    string,
    () => Promise<string>,
    Parameters<typeof createOAuthTokenValidator>[0] | undefined,
    string,
  ][] = [
    ['expired beyond skew', () => sign({ ...base(), exp: now - 120 }), undefined, 'expired'],
    ['wrong issuer', () => sign({ ...base(), iss: 'https://evil' }), undefined, 'bad-issuer'],
    ['wrong audience', () => sign({ ...base(), aud: 'other' }), undefined, 'bad-audience'],
    ['wrong key', () => sign(base(), otherKey), undefined, 'bad-signature'],
    ['unknown kid', () => sign(base(), otherKey, 'k2'), undefined, 'bad-signature'],
    ['no exp', () => sign({ iss: 'https://idp', aud: 'kafka', sub: 'alice' }), undefined, 'invalid-token'],
    ['not a JWT', () => Promise.resolve('abc.def.ghi'), undefined, 'invalid-token'],
    ['missing scope', () => sign(base()), { jwksUrl: '', requiredScopes: ['kafka'] }, 'insufficient-scope'],
  ];
  for (const [name, token, opts, reason] of failures) {
    void it(`rejects: ${name}`, async () => {
      const v = createOAuthTokenValidator({
        issuer: 'https://idp',
        audience: 'kafka',
        ...opts,
        jwksUrl: url,
      });
      await assert.rejects(
        v(await token()),
        (e: unknown) => e instanceof OAuthBearerError && e.reason === reason,
      );
    });
  }

  void it('expired within clock skew is accepted', async () => {
    const v = createOAuthTokenValidator({ jwksUrl: url, clockSkewSeconds: 60 });
    assert.equal((await v(await sign({ ...base(), exp: now - 10 }))).principalName, 'alice');
  });

  void it('JWKS endpoint down → jwks-unavailable', async () => {
    const v = createOAuthTokenValidator({ jwksUrl: 'http://127.0.0.1:1/jwks', jwksTimeoutMs: 2000 });
    await assert.rejects(
      v(await sign(base())),
      (e: unknown) => e instanceof OAuthBearerError && e.reason === 'jwks-unavailable',
    );
  });
});
