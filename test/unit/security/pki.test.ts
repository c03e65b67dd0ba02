import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import forge from 'node-forge';
import type { DevPkiFiles } from '../../../security/pki/index.js';
import { certificateDer, createCa, parseClientSpec, runCertsCommand } from '../../../security/pki/index.js';
import { x500NameFromCertificate } from '../../../security/x500-name.js';

const run = promisify(execFile);
// The Java helper lives next to this test's source (dist/test/... → test/...).
const here = dirname(fileURLToPath(import.meta.url));
const JAVA_HELPER = join(
  here,
  '..',
  '..',
  '..',
  '..',
  'test',
  'unit',
  'security',
  'fixtures',
  'JavaTlsCheck.java',
);

void describe('development PKI', () => {
  let dir = '';
  let files: DevPkiFiles;
  const lines: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kgw-pki-'));
    files = await runCertsCommand({
      dir,
      serverNames: ['localhost', '127.0.0.1', '::1', '*.kgw.local'],
      clients: ['alice:CN=alice,OU=eng,O=acme,C=US', 'bob'],
      password: 'test-pass',
      out: (l) => lines.push(l),
    });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('writes the files, keys private, prints progress', async () => {
    assert.ok(lines.some((l) => l.includes('creating CA')));
    assert.ok(lines.some((l) => l.includes('ssl.truststore.type=PKCS12')));
    for (const f of [
      files.caCert,
      files.truststorePem,
      files.truststoreP12,
      files.server.cert,
      files.server.keystoreP12,
    ])
      await stat(f);
    assert.equal((await stat(files.server.key)).mode & 0o777, 0o600);
    assert.equal((await stat(files.caKey)).mode & 0o777, 0o600);
    assert.equal((await readFile(files.passwordFile, 'utf8')).trim(), 'test-pass');
  });

  void it('server certificate: SANs, SHA-256, CA-signed, random serial', async () => {
    const cert = new X509Certificate(await readFile(files.server.cert));
    const ca = new X509Certificate(await readFile(files.caCert));
    assert.equal(cert.verify(ca.publicKey), true);
    assert.equal(cert.checkIssued(ca), true);
    assert.match(cert.subjectAltName ?? '', /DNS:localhost/);
    assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.match(cert.subjectAltName ?? '', /DNS:\*\.kgw\.local/);
    assert.equal(cert.checkHost('broker-1.kgw.local'), '*.kgw.local');
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    const f = forge.pki.certificateFromPem(await readFile(files.server.cert, 'utf8'));
    assert.equal(f.siginfo.algorithmOid, forge.pki.oids['sha256WithRSAEncryption']);
    assert.ok(f.serialNumber.length >= 30);
    assert.equal(ca.ca, true);
    assert.equal(cert.ca, false);
  });

  void it('client certificate subject prints as Kafka sees it', async () => {
    const alice = files.clients['alice'];
    assert.ok(alice);
    const cert = new X509Certificate(await readFile(alice.cert));
    assert.equal(x500NameFromCertificate(cert.raw), 'CN=alice,OU=eng,O=acme,C=US');
    const bob = new X509Certificate(await readFile(files.clients['bob']?.cert ?? ''));
    assert.equal(x500NameFromCertificate(bob.raw), 'CN=bob');
  });

  void it('reuses the CA and password on a second run', async () => {
    const before = await readFile(files.caCert, 'utf8');
    const again = await runCertsCommand({
      dir,
      serverNames: ['localhost', '127.0.0.1', '::1', '*.kgw.local'],
      clients: ['alice:CN=alice,OU=eng,O=acme,C=US', 'bob'],
      out: () => undefined,
    });
    assert.equal(again.caCreated, false);
    assert.equal(again.password, 'test-pass');
    assert.equal(await readFile(files.caCert, 'utf8'), before);
  });

  // Java 17 is a prerequisite (deploy/setup.sh stops without it), so these run everywhere.
  void it('keytool lists the truststore entry as trustedCertEntry and the keystore as PrivateKeyEntry', async () => {
    const ts = await run('keytool', [
      '-list',
      '-keystore',
      files.truststoreP12,
      '-storetype',
      'PKCS12',
      '-storepass',
      'test-pass',
    ]);
    assert.match(ts.stdout, /kgw-ca, .*trustedCertEntry/);
    const ks = await run('keytool', [
      '-list',
      '-keystore',
      files.server.keystoreP12,
      '-storetype',
      'PKCS12',
      '-storepass',
      'test-pass',
    ]);
    assert.match(ks.stdout, /server, .*PrivateKeyEntry/);
    await assert.rejects(
      run('keytool', [
        '-list',
        '-keystore',
        files.truststoreP12,
        '-storetype',
        'PKCS12',
        '-storepass',
        'nope',
      ]),
    );
  });

  void it('a Java client completes mTLS against a Node TLS server using these files', async () => {
    const [key, cert, ca] = await Promise.all([
      readFile(files.server.key),
      readFile(files.server.chain),
      readFile(files.caCert),
    ]);
    let peerDn = '';
    const server = createServer({ key, cert, ca, requestCert: true, rejectUnauthorized: true }, (sock) => {
      peerDn = x500NameFromCertificate(sock.getPeerCertificate().raw);
      sock.once('data', () => sock.end('y'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const alice = files.clients['alice']?.keystoreP12 ?? '';
      const out = await run(
        'java',
        [JAVA_HELPER, 'tls', files.truststoreP12, alice, 'test-pass', '127.0.0.1', String(port)],
        {
          timeout: 60_000,
        },
      );
      assert.match(out.stdout, /^OK CN=localhost,O=kgw/);
      assert.equal(peerDn, 'CN=alice,OU=eng,O=acme,C=US');
    } finally {
      server.close();
    }
  });

  void it('Node trusts the PEM truststore for the wildcard SNI name', async () => {
    const [key, cert, ca] = await Promise.all([
      readFile(files.server.key),
      readFile(files.server.chain),
      readFile(files.truststorePem),
    ]);
    const server = createServer({ key, cert }, (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      await new Promise<void>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, ca, servername: 'b1.kgw.local' }, () => {
          s.end();
          resolve();
        });
        s.on('error', reject);
      });
    } finally {
      server.close();
    }
  });

  void it('client spec parsing', () => {
    assert.deepEqual(parseClientSpec('alice'), { name: 'alice', subject: 'CN=alice' });
    assert.deepEqual(parseClientSpec('svc:CN=svc,O=x'), { name: 'svc', subject: 'CN=svc,O=x' });
    assert.deepEqual(parseClientSpec('CN=carol,O=x'), { name: 'carol', subject: 'CN=carol,O=x' });
  });
});

void describe('X500Principal.getName() compatibility', () => {
  // Expected strings were printed by Java 17's X500Principal.getName() for certificates with these
  // subjects (encoding order, least specific first); the live check below repeats it when Java exists.
  const vectors: [string, forge.pki.CertificateField[], string][] = [
    [
      'basic',
      [
        { name: 'countryName', value: 'US' },
        { name: 'organizationName', value: 'acme' },
        { name: 'organizationalUnitName', value: 'eng' },
        { name: 'commonName', value: 'alice' },
      ],
      'CN=alice,OU=eng,O=acme,C=US',
    ],
    [
      'escapes',
      [
        { name: 'organizationName', value: 'a,b+c"d\\e<f>g;h=i#j' },
        { name: 'commonName', value: ' lead and trail ' },
      ],
      'CN=\\ lead and trail\\ ,O=a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h\\=i\\#j',
    ],
    ['hashlead', [{ name: 'commonName', value: '#hash' }], 'CN=\\#hash'],
    [
      'email',
      [
        { name: 'commonName', value: 'bob' },
        { name: 'emailAddress', value: 'bob@example.com' },
      ],
      '1.2.840.113549.1.9.1=#130f626f62406578616d706c652e636f6d,CN=bob',
    ],
    [
      'serial-dc-uid',
      [
        { name: 'serialNumber', value: '1234' },
        { name: 'commonName', value: 'x' },
        { type: '0.9.2342.19200300.100.1.25', value: 'com', valueTagClass: 22 as forge.asn1.Class },
        { type: '0.9.2342.19200300.100.1.1', value: 'u1', valueTagClass: 12 as forge.asn1.Class },
      ],
      'UID=u1,DC=com,CN=x,2.5.4.5=#130431323334',
    ],
    [
      'utf8',
      [
        { name: 'commonName', value: 'J\u00fcrgen \u216b', valueTagClass: 12 as forge.asn1.Class },
        { type: '2.5.4.9', value: 'Main St 1' },
      ],
      'STREET=Main St 1,CN=J\u00fcrgen \u216b',
    ],
  ];
  const ca = createCa({ keyBits: 1024 });
  const certs = vectors.map(([name, attrs]) => {
    const c = forge.pki.createCertificate();
    c.publicKey = forge.pki.setRsaPublicKey(ca.key.n, ca.key.e);
    c.serialNumber = '01';
    c.validity.notBefore = new Date();
    c.validity.notAfter = new Date(Date.now() + 86_400_000);
    c.setSubject(attrs);
    c.setIssuer(ca.cert.subject.attributes);
    c.sign(ca.key, forge.md.sha256.create());
    return { name, cert: c };
  });
  vectors.forEach(([name, , expected], i) => {
    void it(name, () =>
      assert.equal(
        x500NameFromCertificate(certificateDer(certs[i]?.cert as forge.pki.Certificate)),
        expected,
      ),
    );
  });
  void it('matches live Java output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kgw-dn-'));
    try {
      const paths: string[] = [];
      for (const { name, cert } of certs) {
        const p = join(dir, `${name}.pem`);
        await writeFile(p, forge.pki.certificateToPem(cert));
        paths.push(p);
      }
      const out = await run('java', [JAVA_HELPER, 'dn', ...paths], { timeout: 60_000 });
      const javaNames = out.stdout.trimEnd().split('\n');
      assert.deepEqual(
        javaNames,
        certs.map(({ cert }) => x500NameFromCertificate(certificateDer(cert))),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
