/**
 * The one cluster-connection shape (client/cluster-connection.ts): what the schema accepts
 * and refuses, that a loader (the monitor's) names file, line and path for every problem
 * including unusable files, and that the mapping gives client/ and kafkajs the same TLS and
 * SASL settings. Kafka client properties map onto the same shape (client-properties.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  clusterConnectionSchema,
  connectionOptions,
  describeConnection,
  kafkajsConfig,
  securityProtocol,
  type ClusterConnection,
} from '../../../client/cluster-connection.js';
import { connectionFromProperties, parseJaasConfig } from '../../../client/client-properties.js';
import { tokenFromEndpoint } from '../../../client/oauth-token.js';
import { ConfigError, parseMonitorConfig } from '../../../monitor/config.js';
import { createDevPki, type DevPkiFiles } from '../../../security/pki/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kgw-conn-'));
let pki: DevPkiFiles;
before(async () => {
  pki = await createDevPki({
    dir: join(dir, 'pki'),
    serverNames: ['localhost'],
    clients: ['alice', 'bob'],
    password: 'pw',
  });
});

const parse = (v: unknown): ClusterConnection => clusterConnectionSchema.parse(v);
const issues = (v: unknown): string[] => {
  const r = clusterConnectionSchema.safeParse(v);
  assert.equal(r.success, false, `should be refused: ${JSON.stringify(v)}`);
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('cluster connection schema', () => {
  test('bootstrap as a list or a comma-separated string; secure defaults', () => {
    assert.deepEqual(parse({ bootstrap: 'a:1, b:2' }).bootstrap, ['a:1', 'b:2']);
    assert.deepEqual(parse({ bootstrap: ['a:1'] }).bootstrap, ['a:1']);
    const c = parse({ bootstrap: 'a:1', tls: true });
    assert.deepEqual(
      c.tls,
      { verifyHostname: true },
      'tls: true is TLS with the system CAs and host name checks',
    );
    assert.equal(parse({ bootstrap: 'a:1', tls: {} }).tls?.verifyHostname, true);
    assert.equal(parse({ bootstrap: 'a:1' }).tls, undefined);
    assert.equal(securityProtocol(parse({ bootstrap: 'a:1' })), 'PLAINTEXT');
    assert.equal(
      securityProtocol(
        parse({ bootstrap: 'a:1', tls: true, sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } }),
      ),
      'SASL_SSL',
    );
  });

  test('refuses what cannot work, naming the field', () => {
    assert.match(issues({ bootstrap: 'a' })[0]!, /^bootstrap\.0: expected host:port/);
    assert.match(issues({ bootstrap: [] })[0]!, /^bootstrap: expected at least one/);
    assert.match(issues({ bootstrap: 'a:99999' })[0]!, /port above 65535/);
    assert.match(
      issues({ bootstrap: 'a:1', tls: { cert: 'c.pem' } })[0]!,
      /^tls\.key: a client certificate needs both/,
    );
    assert.match(issues({ bootstrap: 'a:1', tls: { insecure: true } })[0]!, /^tls: .*insecure/);
    assert.match(
      issues({ bootstrap: 'a:1', sasl: { mechanism: 'GSSAPI' } })[0]!,
      /^sasl\.mechanism: mechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER/,
    );
    assert.match(
      issues({ bootstrap: 'a:1', sasl: { mechanism: 'SCRAM-SHA-512', username: 'u' } })[0]!,
      /^sasl: give exactly one of password, passwordFile/,
    );
    assert.match(
      issues({
        bootstrap: 'a:1',
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p', passwordFile: 'f' },
      })[0]!,
      /^sasl\.passwordFile: give exactly one/,
    );
    assert.match(
      issues({ bootstrap: 'a:1', sasl: { mechanism: 'OAUTHBEARER' } })[0]!,
      /exactly one of tokenFile, tokenEndpoint/,
    );
    const endpoint = (url: string) => ({
      bootstrap: 'a:1',
      sasl: { mechanism: 'OAUTHBEARER', tokenEndpoint: { url, clientId: 'c', clientSecret: 's' } },
    });
    assert.match(issues(endpoint('http://idp.example.com/token'))[0]!, /must be https:\/\//);
    parse(endpoint('https://idp.example.com/token'));
    parse(endpoint('http://127.0.0.1:8080/token'));
  });

  test('describeConnection never shows a secret', () => {
    const c = parse({
      bootstrap: 'a:1',
      tls: { ca: 'ca.pem' },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'mon', password: 'hunter2' },
    });
    assert.equal(describeConnection(c), 'SASL_SSL SCRAM-SHA-512 as mon');
    assert.ok(!describeConnection(c).includes('hunter2'));
  });
});

describe('a loader names file, line and path (the monitor configuration)', () => {
  const monitorYaml = (cluster: string): string =>
    `clusters:\n  - name: secure\n    bootstrap: 127.0.0.1:9093\n${cluster}`;

  test('relative paths are relative to the configuration file; good files load', () => {
    writeFileSync(join(dir, 'pw.txt'), 'from-a-file\n');
    const cfg = parseMonitorConfig(
      monitorYaml(
        `    tls: { ca: pki/ca.crt.pem, cert: pki/clients/alice.chain.pem, key: pki/clients/alice.key.pem }\n    sasl: { mechanism: SCRAM-SHA-256, username: mon, passwordFile: pw.txt }\n`,
      ),
      join(dir, 'monitor.yaml'),
    );
    const c = cfg.clusters[0]!;
    assert.equal(c.tls?.ca, pki.caCert);
    assert.equal(c.clientId, 'kgw-monitor', "the monitor's default client id");
    const options = connectionOptions(c, { clientId: 'x', requestTimeoutMs: 1000 });
    assert.equal(options.clientId, 'kgw-monitor');
    assert.equal(options.tls?.ca, readFileSync(pki.caCert, 'utf8'));
    assert.equal(options.tls?.cert, readFileSync(pki.clients.alice!.chain, 'utf8'));
    assert.equal(options.tls?.checkServerIdentity, true);
    assert.equal(options.tls?.rejectUnauthorized, true);
    assert.deepEqual(options.sasl, { mechanism: 'SCRAM-SHA-256', username: 'mon', password: 'from-a-file' });
  });

  test('a secret reference fills the password; an unset one is an error naming file, line and key', () => {
    process.env.KGW_T_CONN_PW = 'from-env';
    const ok = parseMonitorConfig(
      monitorYaml('    sasl: { mechanism: PLAIN, username: mon, password: "${env:KGW_T_CONN_PW}" }\n'),
      join(dir, 'm.yaml'),
    );
    const sasl = ok.clusters[0]!.sasl;
    assert.ok(sasl && sasl.mechanism === 'PLAIN' && sasl.password === 'from-env');
    assert.throws(
      () =>
        parseMonitorConfig(
          monitorYaml(
            '    sasl:\n      mechanism: PLAIN\n      username: mon\n      password: "${env:KGW_T_CONN_UNSET}"\n',
          ),
          join(dir, 'm.yaml'),
        ),
      (e: Error) => /m\.yaml:7: clusters\[0\]\.sasl\.password: .*KGW_T_CONN_UNSET is not set/.test(e.message),
    );
  });

  test('unreadable, non-PEM and mismatched files: file:line: path: problem', () => {
    writeFileSync(join(dir, 'not-pem.txt'), 'hello\n');
    const text = monitorYaml(
      [
        '    tls:',
        '      ca: missing-ca.pem',
        `      cert: ${pki.clients.alice!.cert}`,
        `      key: ${pki.clients.bob!.key}`,
        '',
      ].join('\n'),
    );
    assert.throws(
      () => parseMonitorConfig(text, join(dir, 'm.yaml')),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /m\.yaml:5: clusters\[0\]\.tls\.ca: cannot read .*missing-ca\.pem: ENOENT/);
        assert.match(e.message, /m\.yaml:7: clusters\[0\]\.tls\.key: unusable: .*(mismatch|key)/i);
        return true;
      },
    );
    assert.throws(
      () => parseMonitorConfig(monitorYaml('    tls: { ca: not-pem.txt }\n'), join(dir, 'm.yaml')),
      /m\.yaml:4: clusters\[0\]\.tls\.ca: .*not-pem\.txt is not PEM/,
    );
    assert.throws(
      () =>
        parseMonitorConfig(
          monitorYaml('    sasl: { mechanism: OAUTHBEARER, tokenFile: no-token }\n'),
          join(dir, 'm.yaml'),
        ),
      /clusters\[0\]\.sasl\.tokenFile: cannot read .*no-token: ENOENT/,
    );
  });

  test('an encrypted key needs its keyPassword', async () => {
    const { createPrivateKey } = await import('node:crypto');
    const encrypted = createPrivateKey(readFileSync(pki.clients.alice!.key)).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'key-pw',
    });
    writeFileSync(join(dir, 'alice-enc.key.pem'), encrypted);
    const yaml = (pw: string) =>
      monitorYaml(
        `    tls: { cert: ${pki.clients.alice!.chain}, key: alice-enc.key.pem, keyPassword: ${pw} }\n`,
      );
    parseMonitorConfig(yaml('key-pw'), join(dir, 'm.yaml'));
    assert.throws(
      () => parseMonitorConfig(yaml('wrong'), join(dir, 'm.yaml')),
      /clusters\[0\]\.tls\.key: unusable/,
    );
  });
});

describe('mapping onto kafkajs equals the client/ options', () => {
  test('TLS with a client certificate, SCRAM and OAUTHBEARER', async () => {
    const c = parse({
      bootstrap: 'b:1',
      tls: {
        ca: pki.caCert,
        cert: pki.clients.alice!.chain,
        key: pki.clients.alice!.key,
        serverName: 'kafka',
        verifyHostname: false,
      },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' },
    });
    const k = kafkajsConfig(c, { clientId: 'me', requestTimeoutMs: 5000 });
    const o = connectionOptions(c, { clientId: 'me', requestTimeoutMs: 5000 });
    assert.deepEqual(k.brokers, ['b:1']);
    assert.equal(k.clientId, 'me');
    const ssl = k.ssl as Record<string, unknown>;
    assert.deepEqual(ssl.ca, [o.tls!.ca]);
    assert.equal(ssl.cert, o.tls!.cert);
    assert.equal(ssl.key, o.tls!.key);
    assert.equal(ssl.servername, 'kafka');
    assert.equal(ssl.rejectUnauthorized, true);
    assert.equal(
      typeof ssl.checkServerIdentity,
      'function',
      'verifyHostname: false skips only the name check',
    );
    assert.deepEqual(k.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });

    writeFileSync(join(dir, 'token'), 'tok-1\n');
    const oauth = parse({
      bootstrap: 'b:1',
      sasl: { mechanism: 'OAUTHBEARER', tokenFile: join(dir, 'token') },
    });
    const provider = (
      kafkajsConfig(oauth, { clientId: 'me', requestTimeoutMs: 1 }).sasl as {
        oauthBearerProvider: () => Promise<{ value: string }>;
      }
    ).oauthBearerProvider;
    assert.deepEqual(await provider(), { value: 'tok-1' });
    writeFileSync(join(dir, 'token'), 'tok-2\n');
    assert.deepEqual(await provider(), { value: 'tok-2' }, 'the token file is read at every authentication');
  });
});

describe('OAuth client credentials (KIP-768)', () => {
  const seen: { auth: string | undefined; body: string }[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ auth: req.headers.authorization, body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  let url = '';
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  after(() => server.close());

  test('Basic authentication of the URL-encoded id and secret, the grant and scope; reused until 80 % of its life', async () => {
    answer = { status: 200, body: { access_token: 'T1', expires_in: 3600, token_type: 'bearer' } };
    const token = tokenFromEndpoint({ url, clientId: 'mon itor', clientSecret: 's:e&c', scope: 'kafka' });
    assert.equal(await token(), 'T1');
    assert.equal(await token(), 'T1');
    assert.equal(seen.length, 1, 'a valid token is reused');
    assert.equal(seen[0]!.auth, `Basic ${Buffer.from('mon%20itor:s%3Ae%26c').toString('base64')}`);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(seen[0]!.body)), {
      grant_type: 'client_credentials',
      scope: 'kafka',
    });
    answer = { status: 200, body: { access_token: 'T2', expires_in: 0.001 } };
    const short = tokenFromEndpoint({ url, clientId: 'a', clientSecret: 'b' });
    await short();
    await new Promise((r) => setTimeout(r, 5));
    await short();
    assert.equal(seen.length, 3, 'an expired token is fetched again');
  });

  test('a refusal names the endpoint, status and OAuth error, never the secret', async () => {
    answer = { status: 401, body: { error: 'invalid_client', error_description: 'bad secret' } };
    const token = tokenFromEndpoint({ url, clientId: 'a', clientSecret: 'TOP-SECRET' });
    await assert.rejects(token(), (e: Error) => {
      assert.match(e.message, /answered HTTP 401 \(invalid_client: bad secret\)/);
      assert.ok(!e.message.includes('TOP-SECRET'));
      return true;
    });
  });
});

describe('Kafka client properties onto the same shape', () => {
  const map = (text: string) =>
    connectionFromProperties(
      text
        .trim()
        .split('\n')
        .map((l, i) => {
          const eq = l.indexOf('=');
          return { key: l.slice(0, eq).trim(), value: l.slice(eq + 1).trim(), line: i + 1 };
        }),
      'client.properties',
    );

  test('every security.protocol and mechanism maps to a connection with the same protocol and credentials', () => {
    const modules: Record<string, string> = {
      PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
      'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
      'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
    };
    for (const protocol of ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'])
      for (const mechanism of Object.keys(modules)) {
        const lines = [`bootstrap.servers=h:1`, `security.protocol=${protocol}`];
        if (protocol.startsWith('SASL_'))
          lines.push(
            `sasl.mechanism=${mechanism}`,
            `sasl.jaas.config=${modules[mechanism]} required username="u\\"1" password="p w";`,
          );
        if (protocol.endsWith('SSL'))
          lines.push(`ssl.truststore.type=PEM`, `ssl.truststore.location=${pki.caCert}`);
        const m = map(lines.join('\n'));
        assert.deepEqual(m.problems, []);
        const c = parse(m.connection);
        assert.equal(securityProtocol(c), protocol);
        if (protocol.startsWith('SASL_'))
          assert.deepEqual(c.sasl, { mechanism, username: 'u"1', password: 'p w' });
        if (protocol.endsWith('SSL')) assert.deepEqual(c.tls, { ca: pki.caCert, verifyHostname: true });
      }
  });

  test('PEM keystores, inline certificates, host name check off, OAUTHBEARER forms', () => {
    const m = map(
      `security.protocol=SSL\nssl.keystore.type=PEM\nssl.keystore.location=/k.pem\nssl.key.password=kp\nssl.endpoint.identification.algorithm=\nssl.truststore.certificates=-----BEGIN CERTIFICATE----- x`,
    );
    assert.deepEqual(m.problems, []);
    assert.deepEqual(m.connection.tls, {
      ca: '-----BEGIN CERTIFICATE----- x',
      cert: '/k.pem',
      key: '/k.pem',
      keyPassword: 'kp',
      verifyHostname: false,
    });
    const oauth = map(
      'security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url=https://idp/t\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="mon" clientSecret="s" scope="kafka";',
    );
    assert.deepEqual(oauth.connection.sasl, {
      mechanism: 'OAUTHBEARER',
      tokenEndpoint: { url: 'https://idp/t', clientId: 'mon', clientSecret: 's', scope: 'kafka' },
    });
    const file = map(
      'security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url=file:///run/token',
    );
    assert.deepEqual(file.connection.sasl, { mechanism: 'OAUTHBEARER', tokenFile: '/run/token' });
    assert.deepEqual(map('bootstrap.servers=h:1\nacks=all\nlinger.ms=5').ignored, ['acks', 'linger.ms']);
  });

  test('what cannot be honoured fails closed with file:line: key and what to do', () => {
    const problem = (text: string): string => {
      const m = map(text);
      assert.equal(m.problems.length, 1, JSON.stringify(m.problems));
      return m.problems[0]!;
    };
    assert.match(
      problem('security.protocol=SSL\nssl.truststore.type=JKS\nssl.truststore.location=/t.jks'),
      /^client\.properties:2: ssl\.truststore\.type: JKS truststores .*keytool -exportcert/,
    );
    assert.match(
      problem('security.protocol=SASL_SSL'),
      /^client\.properties: sasl\.mechanism: GSSAPI .* set PLAIN/,
    );
    assert.match(
      problem(
        'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";',
      ),
      /^client\.properties:3: sasl\.jaas\.config: login module .*PlainLoginModule does not fit sasl\.mechanism SCRAM-SHA-512/,
    );
    assert.match(
      problem('security.protocol=PLAINTEXT\nsasl.mechanism=PLAIN'),
      /sasl\.mechanism: needs security\.protocol SASL_PLAINTEXT or SASL_SSL/,
    );
    assert.match(problem('security.protocol=TLS'), /security\.protocol: expected one of/);
    assert.match(
      problem(
        'security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url=https://x\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="a";',
      ),
      /unsecured OAUTHBEARER tokens/,
    );
  });

  test('JAAS options: quoted values with escapes, unquoted values, several options', () => {
    assert.deepEqual(parseJaasConfig('a.B required x="1" y="two words" z="q\\"uote" w=bare-word;'), {
      loginModule: 'a.B',
      options: new Map([
        ['x', '1'],
        ['y', 'two words'],
        ['z', 'q"uote'],
        ['w', 'bare-word'],
      ]),
    });
    assert.equal(typeof parseJaasConfig('username="a"'), 'string');
  });
});
