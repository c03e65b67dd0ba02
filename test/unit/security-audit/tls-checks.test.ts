/**
 * The TLS checks against real TLS servers (node:tls, no Kafka needed for a handshake): a server
 * configured the weak way is failed for exactly what it accepts, one configured as
 * docs/security.md recommends passes, and the certificate check fails a name or CA mismatch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type TlsOptions } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { testPki } from '../../harness/gateway.js';
import type { DevPkiFiles } from '../../../security/pki/index.js';
import { BudgetMeter } from '../../../security-audit/budget.js';
import { tlsCertificate, tlsCiphers, tlsLegacyVersions } from '../../../security-audit/checks/tls.js';
import { CheckContext } from '../../../security-audit/context.js';
import type { AuditOptions, Check, CheckOutcome } from '../../../security-audit/types.js';
import { RECOMMENDED_TLS_CIPHERS } from '../../../security-audit/tls-hello.js';

let pki: DevPkiFiles;
const servers: Server[] = [];

before(async () => {
  pki = await testPki();
});
after(() => {
  for (const s of servers) s.close();
});

async function tlsServer(o: TlsOptions): Promise<number> {
  const server = createServer(
    { cert: readFileSync(pki.server.chain), key: readFileSync(pki.server.key), ...o },
    (s) => s.destroy(),
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

function run(
  check: Check,
  port: number,
  tls: { ca?: Buffer; serverName?: string } = {},
): Promise<CheckOutcome> {
  const address = { host: '127.0.0.1', port };
  const ctx = new CheckContext(
    { bootstrap: `127.0.0.1:${port}` } as AuditOptions,
    { address, tls: true, trusted: true, saslMechanisms: [], apiVersions: [] },
    {},
    undefined,
    new BudgetMeter(check.id, check.budget as { connections: number; requests: number }),
    new AbortController().signal,
    {
      ca: tls.ca ?? readFileSync(pki.caCert),
      serverName: tls.serverName,
      rejectUnauthorized: true,
      checkServerIdentity: true,
    },
  );
  return check.run(ctx);
}

describe('TLS checks', () => {
  it('a server accepting TLS 1.0/1.1, NULL, anonymous and static-RSA suites fails on each of them', async () => {
    const port = await tlsServer({ minVersion: 'TLSv1', ciphers: 'ALL:eNULL:@SECLEVEL=0' });
    const versions = await run(tlsLegacyVersions, port);
    assert.equal(versions.status, 'fail');
    assert.match(versions.summary, /TLSv1, TLSv1\.1/);
    const ciphers = await run(tlsCiphers, port);
    assert.equal(ciphers.status, 'fail');
    for (const cls of ['NULL', 'anonymous', 'non-forward-secret'])
      assert.match(ciphers.summary, new RegExp(cls));
    assert.doesNotMatch(ciphers.summary, /RC4|EXPORT/, 'suites OpenSSL 3 cannot serve are not reported');
  });

  it("Node's default cipher list accepts static RSA key exchange: the check says so", async () => {
    const port = await tlsServer({});
    assert.equal((await run(tlsLegacyVersions, port)).status, 'pass');
    const ciphers = await run(tlsCiphers, port);
    assert.equal(ciphers.status, 'fail');
    assert.match(ciphers.summary, /non-forward-secret \(TLS_RSA_WITH/);
  });

  it('the recommended TLS settings pass every TLS check', async () => {
    const port = await tlsServer({ minVersion: 'TLSv1.2', ciphers: RECOMMENDED_TLS_CIPHERS });
    for (const check of [tlsLegacyVersions, tlsCiphers, tlsCertificate]) {
      const r = await run(check, port);
      assert.equal(r.status, 'pass', `${check.id}: ${r.summary}`);
    }
  });

  it('a certificate for another name, or from an untrusted CA, fails', async () => {
    const port = await tlsServer({ ciphers: RECOMMENDED_TLS_CIPHERS });
    const wrongName = await run(tlsCertificate, port, { serverName: 'kafka.example.org' });
    assert.equal(wrongName.status, 'fail');
    assert.match(wrongName.summary, /does not verify: .*kafka\.example\.org/);
    const untrusted = await run(tlsCertificate, port, { ca: readFileSync(pki.server.chain).subarray(0, 0) });
    assert.equal(untrusted.status, 'fail');
  });
});
