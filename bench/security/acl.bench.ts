// ACL decision cost with 0, 1k, 10k and 50k ACLs.
//   npm run build && node dist/bench/security/acl.bench.js
// The ACL mix resembles a multi-tenant cluster: per-principal LITERAL topic ACLs (READ/WRITE), per-team
// PREFIXED topic ACLs, group ACLs, a few wildcard and DENY ACLs. Each figure is the mean over many
// decisions after a warm-up, in microseconds per decision.
import { performance } from 'node:perf_hooks';
import type { AuthorizeRequest } from '../../security/acl/index.js';
import {
  AclAuthorizer,
  AclOperation as Op,
  AclPermissionType as Perm,
  PatternType as PT,
  ResourceType as RT,
} from '../../security/acl/index.js';

function build(n: number): AclAuthorizer {
  const a = new AclAuthorizer({ superUsers: ['User:admin'] });
  let i = 0;
  while (a.size < n) {
    const team = `team${i % 500}`;
    const user = `User:svc-${i % 5000}`;
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        a.addAcl({
          resourceType: RT.TOPIC,
          resourceName: `${team}.orders-${i}`,
          patternType: PT.LITERAL,
          principal: user,
          host: '*',
          operation: i % 2 ? Op.READ : Op.WRITE,
          permissionType: Perm.ALLOW,
        });
        break;
      case 4:
      case 5:
        a.addAcl({
          resourceType: RT.TOPIC,
          resourceName: `${team}.${i % 40}.`,
          patternType: PT.PREFIXED,
          principal: user,
          host: '*',
          operation: Op.READ,
          permissionType: Perm.ALLOW,
        });
        break;
      case 6:
      case 7:
        a.addAcl({
          resourceType: RT.GROUP,
          resourceName: `${team}-consumers-${i}`,
          patternType: PT.LITERAL,
          principal: user,
          host: '*',
          operation: Op.READ,
          permissionType: Perm.ALLOW,
        });
        break;
      case 8:
        a.addAcl({
          resourceType: RT.TOPIC,
          resourceName: `${team}.`,
          patternType: PT.PREFIXED,
          principal: user,
          host: `10.0.${i % 250}.1`,
          operation: Op.WRITE,
          permissionType: Perm.DENY,
        });
        break;
      default:
        a.addAcl({
          resourceType: RT.TOPIC,
          resourceName: '*',
          patternType: PT.LITERAL,
          principal: `User:reader-${i}`,
          host: '*',
          operation: Op.DESCRIBE,
          permissionType: Perm.ALLOW,
        });
    }
    i++;
  }
  return a;
}

const requests: Record<string, AuthorizeRequest> = {
  'literal hit': {
    principal: 'User:svc-3',
    host: '10.1.1.1',
    resourceType: RT.TOPIC,
    resourceName: 'team3.orders-3',
    operation: Op.READ,
  },
  'prefix hit': {
    principal: 'User:svc-4',
    host: '10.1.1.1',
    resourceType: RT.TOPIC,
    resourceName: 'team4.4.payments',
    operation: Op.READ,
  },
  'implied DESCRIBE': {
    principal: 'User:svc-3',
    host: '10.1.1.1',
    resourceType: RT.TOPIC,
    resourceName: 'team3.orders-3',
    operation: Op.DESCRIBE,
  },
  'denied (no match)': {
    principal: 'User:nobody',
    host: '10.1.1.1',
    resourceType: RT.TOPIC,
    resourceName: 'team7.orders-7',
    operation: Op.WRITE,
  },
  'long name miss': {
    principal: 'User:svc-1',
    host: '10.1.1.1',
    resourceType: RT.TOPIC,
    resourceName: 'x'.repeat(200),
    operation: Op.READ,
  },
};

function timeIt(fn: () => void, iterations: number): number {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return ((performance.now() - t0) * 1000) / iterations;
}

const sizes = [0, 1_000, 10_000, 50_000];
const rows: string[][] = [];
const header = ['ACLs', 'build ms', ...Object.keys(requests), 'authorizeAny'];
for (const n of sizes) {
  const t0 = performance.now();
  const a = build(n);
  const buildMs = performance.now() - t0;
  const row = [String(n), buildMs.toFixed(0)];
  let sink = 0;
  for (const req of Object.values(requests)) {
    row.push(timeIt(() => (sink += a.authorize(req).result === 'ALLOWED' ? 1 : 0), 200_000).toFixed(3));
  }
  row.push(
    timeIt(
      () => (sink += a.authorizeAny('User:svc-7', '10.1.1.1', RT.TOPIC, Op.WRITE) === 'ALLOWED' ? 1 : 0),
      200_000,
    ).toFixed(3),
  );
  if (sink < 0) console.log(sink);
  rows.push(row);
}
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]): string =>
  '| ' + cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ') + ' |';
console.log(`ACL decision cost, µs per decision (node ${process.version})`);
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
