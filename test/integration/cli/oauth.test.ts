/**
 * OAUTHBEARER from the one cluster-connection shape, end to end through a kgw gateway that checks
 * JWTs (static keys): the KIP-768 client-credentials grant against a token endpoint, configured as
 * Kafka client properties (`--command-config`), and a token file configured in kgw's YAML shape.
 * Both client paths are used: client/ (`kgw status`: DescribeCluster) and kafkajs
 * (`kgw lag`). A refused client secret and an expired token fail with the cause.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { clusterBootstrap } from '../../harness/index.js';
import { startTestGateway, type TestGateway } from '../../harness/gateway.js';
import { expectExit, jsonOf, kgw } from './helpers.js';

const CLIENT = { id: 'svc-monitor', secret: 's3cret&more' };
let gw: TestGateway;
let idp: Server;
let tokenUrl = '';
let issued = 0;
let sign: (expiresInSeconds: number) => Promise<string>;

before(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  sign = (seconds) =>
    new SignJWT({ scope: 'kafka' })
      .setProtectedHeader({ alg: 'RS256', kid: 'cli' })
      .setSubject(CLIENT.id)
      .setIssuer('kgw-test')
      .setAudience('kafka')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + seconds)
      .sign(privateKey);
  // A token endpoint as an OAuth server answers the client-credentials grant (RFC 6749 4.4).
  idp = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const expected = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT.id)}:${encodeURIComponent(CLIENT.secret)}`).toString('base64')}`;
      if (req.headers.authorization !== expected || form.get('grant_type') !== 'client_credentials') {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'invalid_client' }));
        return;
      }
      issued++;
      void sign(300).then((t) =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: t, token_type: 'Bearer', expires_in: 300 })),
      );
    });
  });
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
  tokenUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/oauth2/token`;
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'cli', alg: 'RS256', use: 'sig' }] };
  gw = await startTestGateway({
    upstream: clusterBootstrap('east'),
    mechanisms: ['SCRAM-SHA-512', 'OAUTHBEARER'],
    securityTopic: `__kgw_security_oauth_${process.pid}`,
    extraYaml: `oauthbearer: { staticKeysFile: ${writeJwks(jwks)}, issuer: kgw-test, audience: kafka }`,
  });
});
after(async () => {
  await gw?.close();
  idp?.close();
});

function writeJwks(jwks: unknown): string {
  const file = join(process.env.TMPDIR ?? '/tmp', `kgw-cli-jwks-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(jwks));
  return file;
}

function clientProperties(secret: string): string {
  const file = join(gw.dir, `oauth-${secret.length}.properties`);
  writeFileSync(
    file,
    [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=OAUTHBEARER',
      `sasl.oauthbearer.token.endpoint.url=${tokenUrl}`,
      `sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="${CLIENT.id}" clientSecret="${secret}" scope="kafka";`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${gw.pki!.caCert}`,
      '',
    ].join('\n'),
  );
  return file;
}

interface StatusJson {
  clusters: { reachable: boolean; security: string; brokers?: unknown[]; error?: string }[];
}

describe('OAUTHBEARER through a gateway', () => {
  test('client credentials from Kafka client properties: client/ and kafkajs both authenticate', async () => {
    const props = clientProperties(CLIENT.secret);
    const status = jsonOf<StatusJson>(
      expectExit(
        await kgw([
          'status',
          '--bootstrap-server',
          gw.bootstrap,
          '--command-config',
          props,
          '--top',
          '0',
          '--json',
        ]),
        0,
        'kgw status',
      ),
    );
    assert.equal(status.clusters[0]!.reachable, true);
    assert.equal(status.clusters[0]!.security, 'SASL_SSL OAUTHBEARER (client credentials)');
    assert.equal(status.clusters[0]!.brokers?.length, 1);
    const before = issued;
    expectExit(
      await kgw([
        'lag',
        '--bootstrap-server',
        gw.bootstrap,
        '--command-config',
        props,
        '--samples',
        '1',
        '--json',
      ]),
      0,
      'kgw lag',
    );
    assert.ok(issued > before, 'the token came from the endpoint');
  });

  test("a token file, in kgw's YAML connection shape", async () => {
    writeFileSync(join(gw.dir, 'token.jwt'), `${await sign(120)}\n`);
    const yaml = join(gw.dir, 'oauth-file.yaml');
    writeFileSync(
      yaml,
      `tls: { ca: ${gw.pki!.caCert} }\nsasl: { mechanism: OAUTHBEARER, tokenFile: token.jwt }\n`,
    );
    const s = jsonOf<StatusJson>(
      expectExit(
        await kgw([
          'status',
          '--bootstrap-server',
          gw.bootstrap,
          '--command-config',
          yaml,
          '--top',
          '0',
          '--json',
        ]),
        0,
        'token file',
      ),
    );
    assert.equal(s.clusters[0]!.security, 'SASL_SSL OAUTHBEARER (token file)');
    // An expired token in the same file: the gateway refuses it, and kgw says so.
    writeFileSync(join(gw.dir, 'token.jwt'), `${await sign(-60)}\n`);
    const refused = expectExit(
      await kgw(['status', '--bootstrap-server', gw.bootstrap, '--command-config', yaml, '--top', '0']),
      1,
      'expired token',
    );
    assert.match(refused.stdout, /UNREACHABLE/);
    assert.match(refused.stdout, /bearer token failed|[Aa]uthentication/);
  });

  test('a refused client secret: exit 1 naming the endpoint and its OAuth error, not the secret', async () => {
    const r = expectExit(
      await kgw([
        'lag',
        '--bootstrap-server',
        gw.bootstrap,
        '--command-config',
        clientProperties('wrong-secret'),
        '--samples',
        '1',
      ]),
      1,
      'wrong secret',
    );
    assert.match(r.stderr, /answered HTTP 401 \(invalid_client\)/);
    assert.ok(!(r.stdout + r.stderr).includes('wrong-secret'), 'the secret is never printed');
  });
});
