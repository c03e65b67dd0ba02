/**
 * The audit's machinery without an endpoint: the traffic bound is what docs/security.md states and
 * grows as documented, budgets are enforced, the catalogue is well formed, the report renders
 * remedies, and the small judgements (same endpoint, gross timing gap, option parsing) decide as
 * their comments say.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '../../../cli/audit-command.js';
import { BudgetExceeded, BudgetMeter } from '../../../security-audit/budget.js';
import { CHECKS } from '../../../security-audit/checks/index.js';
import { grossTimingGap } from '../../../security-audit/checks/enumeration.js';
import { sameEndpoint } from '../../../security-audit/checks/leaks.js';
import { parseAddress } from '../../../security-audit/net.js';
import { renderReport } from '../../../security-audit/report.js';
import { auditBudget, selectChecks, type AuditReport } from '../../../security-audit/runner.js';
import { buildClientHello, parseServerAnswer, TLS_VERSIONS } from '../../../security-audit/tls-hello.js';
import { FAMILIES, type AuditOptions } from '../../../security-audit/types.js';

const defaults = { skip: [], only: [], lockoutAttempts: 12 } as unknown as AuditOptions;
const docs = readFileSync(fileURLToPath(new URL('../../../../docs/security.md', import.meta.url)), 'utf8');

describe('kgw audit engine', () => {
  it('the traffic bound with default options is the one docs/security.md states, and grows as it says', () => {
    const b = auditBudget(defaults);
    assert.match(
      docs,
      new RegExp(`at most ${b.connections} connections and\\s+sends at most ${b.requests} requests`),
    );
    const more = auditBudget({ ...defaults, lockoutAttempts: 20, maxConnectionsPerAddress: 100 });
    assert.deepEqual(more, { connections: b.connections + 8 + 100, requests: b.requests + 8 * 7 + 4 * 100 });
  });

  it('a budget refuses the connection or request beyond it', () => {
    const m = new BudgetMeter('x', { connections: 1, requests: 2 });
    m.chargeConnection();
    m.chargeRequests(2);
    assert.throws(() => m.chargeConnection(), BudgetExceeded);
    assert.throws(() => m.chargeRequests(), /x tried to exceed its budget of 2 requests/);
  });

  it('every check has a unique id in its family, is documented, and is bounded', () => {
    const ids = CHECKS.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const c of CHECKS) {
      assert.ok(FAMILIES.includes(c.family) && c.id.startsWith(`${c.family}.`), c.id);
      assert.ok(docs.includes(`| \`${c.id}\` |`), `${c.id} is in docs/security.md's table`);
      const t =
        typeof c.timeoutMs === 'function'
          ? c.timeoutMs({ ...defaults, authDeadlineMs: 15_000 })
          : c.timeoutMs;
      assert.ok(t > 0 && t <= 90_000, `${c.id} timeout ${t}`);
    }
    assert.equal(CHECKS.at(-1)!.id, 'limits.lockout', 'the lockout check runs last');
    assert.ok(CHECKS.at(-1)!.last);
  });

  it('--only and --skip take ids or families; an unknown one is an error naming it', () => {
    assert.deepEqual(
      selectChecks({ only: ['tls'], skip: ['tls.ciphers'] }).map((c) => c.id),
      ['tls.required', 'tls.legacy-versions', 'tls.certificate'],
    );
    assert.throws(
      () => selectChecks({ only: ['tls.cipher'], skip: [] }),
      /unknown check or family "tls.cipher"/,
    );
  });

  it("an advertised address is the endpoint's own on the same host, or a sibling name under the same domain", () => {
    assert.ok(sameEndpoint('127.0.0.1', '127.0.0.1'));
    assert.ok(sameEndpoint('bootstrap.kafka.example.com', 'broker-1.kafka.example.com'));
    assert.ok(sameEndpoint('Kafka.Example.com', 'kafka.example.com'));
    assert.ok(!sameEndpoint('127.0.0.1', '10.0.0.5'));
    assert.ok(!sameEndpoint('gw.example.com', 'broker-1.internal'));
    assert.ok(
      !sameEndpoint('gw.example.com', 'evil.com'),
      'a bare registrable domain is not a shared parent',
    );
    assert.ok(!sameEndpoint('kafka.example.com', '10.1.2.3'));
  });

  it('only a gap large both absolutely and relatively counts as a timing difference', () => {
    assert.equal(grossTimingGap([2, 3, 2], [1, 1, 2]).gap, false, 'milliseconds of jitter');
    assert.equal(grossTimingGap([300, 310, 305], [250, 240, 260]).gap, false, 'a loaded machine');
    assert.equal(grossTimingGap([303, 310, 290], [21, 19, 25]).gap, true, 'a refusal delayed 300 ms');
    assert.equal(
      grossTimingGap([1, 2, 1], [150, 160, 155]).gap,
      true,
      'a key derivation only for known users',
    );
  });

  it('options: addresses and durations are parsed or refused with the value named', () => {
    assert.deepEqual(parseAddress('kafka.example.com:9093'), { host: 'kafka.example.com', port: 9093 });
    assert.deepEqual(parseAddress('[::1]:9092'), { host: '::1', port: 9092 });
    assert.throws(
      () => parseAddress('kafka.example.com'),
      /bootstrap "kafka.example.com": expected host:port/,
    );
    assert.equal(parseDuration('15s'), 15_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('30'), 30_000);
    assert.throws(() => parseDuration('soon'), /"soon" is not a duration/);
  });

  it('a ClientHello carries the version and suites asked for, and a ServerHello or alert is read back', () => {
    const hello = buildClientHello({
      version: TLS_VERSIONS['TLSv1.1'],
      suites: [0x002f, 0xc013],
      serverName: 'kafka.example.com',
    });
    assert.equal(hello[0], 0x16);
    assert.equal(hello.readUInt16BE(9), 0x0302, 'client_version');
    assert.ok(hello.includes(Buffer.from('kafka.example.com')), 'SNI');
    assert.ok(
      !buildClientHello({ version: 0x0303, suites: [0x002f], serverName: '127.0.0.1' }).includes(
        Buffer.from('127.0.0.1'),
      ),
      'no SNI for an IP',
    );
    // A ServerHello choosing TLS 1.2 and suite 0x009c, split over two records.
    const body = Buffer.concat([
      Buffer.from([0x03, 0x03]),
      Buffer.alloc(32),
      Buffer.from([0]),
      Buffer.from([0x00, 0x9c, 0]),
    ]);
    const hs = Buffer.concat([Buffer.from([2, 0, 0, body.length]), body]);
    const record = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0x16, 3, 3, 0, b.length]), b]);
    assert.deepEqual(
      parseServerAnswer(Buffer.concat([record(hs.subarray(0, 20)), record(hs.subarray(20))])),
      {
        kind: 'server-hello',
        version: 0x0303,
        suite: 0x009c,
      },
    );
    assert.deepEqual(parseServerAnswer(record(hs.subarray(0, 20))), { kind: 'incomplete' });
    assert.deepEqual(parseServerAnswer(Buffer.from([0x15, 3, 3, 0, 2, 2, 70])), {
      kind: 'alert',
      level: 2,
      description: 70,
    });
    assert.equal(parseServerAnswer(Buffer.from([0, 0, 0, 10, 0, 0])).kind, 'not-tls');
  });

  it('the terminal report names every failed check with its fix, and counts by status', () => {
    const report: AuditReport = {
      target: 'k:9093',
      startedAt: new Date(0).toISOString(),
      durationMs: 1234,
      endpoint: { tls: true, certificateVerifies: true, saslMechanisms: ['SCRAM-SHA-512'] },
      principals: { user: 'User:u (SCRAM-SHA-512)' },
      notes: ['User:u sees 2 topic(s)'],
      budget: { max: { connections: 10, requests: 40 }, used: { connections: 3, requests: 9 } },
      checks: [
        { id: 'tls.required', family: 'tls', title: 'TLS', status: 'pass', summary: 'ok', durationMs: 1 },
        {
          id: 'preauth.deadline',
          family: 'preauth',
          title: 'deadline',
          status: 'fail',
          summary: 'silent connection open',
          details: ['TCP: open after 15 s'],
          remedy: 'set limits.authTimeoutMs',
          durationMs: 15_000,
        },
      ],
      summary: { pass: 1, fail: 1, warn: 0, skip: 0, error: 0 },
    };
    const text = renderReport(report, { colour: false, verbose: false });
    assert.match(text, /FAIL {2}preauth\.deadline/);
    assert.match(text, /fix: set limits\.authTimeoutMs/);
    assert.match(text, /· TCP: open after 15 s/);
    assert.match(text, /3 connections and 9 requests \(bounded by 10 and 40\)/);
    assert.match(text, /1 passed, 1 failed, 0 warnings, 0 skipped, 0 errors/);
  });
});
