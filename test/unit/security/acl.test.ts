import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AclBinding, AclBindingFilter } from '../../../security/acl/index.js';
import {
  ANY_ACL_FILTER,
  AclAuthorizer,
  AclOperation as Op,
  AclPermissionType as Perm,
  InvalidAclError,
  PatternType as PT,
  ResourceType as RT,
  aclKey,
  aclTombstone,
  decodeAclRecord,
  encodeAclRecord,
  javaHostAddress,
  parseSuperUsers,
} from '../../../security/acl/index.js';

const acl = (p: Partial<AclBinding>): AclBinding => ({
  resourceType: RT.TOPIC,
  resourceName: 'orders',
  patternType: PT.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: Op.READ,
  permissionType: Perm.ALLOW,
  ...p,
});

interface Case {
  name: string;
  acls: Partial<AclBinding>[];
  req?: { principal?: string; host?: string; type?: RT; resource?: string; op?: Op };
  allowIfNoAcl?: boolean;
  superUsers?: string[];
  expect: 'ALLOWED' | 'DENIED';
  rule?: string;
}

const cases: Case[] = [
  { name: 'no ACLs at all → default deny', acls: [], expect: 'DENIED', rule: 'DefaultDeny' },
  {
    name: 'no ACLs, allow.everyone.if.no.acl.found',
    acls: [],
    allowIfNoAcl: true,
    expect: 'ALLOWED',
    rule: 'DefaultAllow',
  },
  { name: 'literal allow exact', acls: [{}], expect: 'ALLOWED', rule: 'MatchingAcl' },
  {
    name: 'literal allow other name does not apply',
    acls: [{ resourceName: 'order' }],
    expect: 'DENIED',
    rule: 'DefaultDeny',
  },
  {
    name: 'ACL on resource for another principal → not "no ACL found" even with allowEveryone',
    acls: [{ principal: 'User:bob' }],
    allowIfNoAcl: true,
    expect: 'DENIED',
  },
  {
    name: 'ACL on another resource only → no ACL found → allowEveryone applies',
    acls: [{ resourceName: 'other' }],
    allowIfNoAcl: true,
    expect: 'ALLOWED',
    rule: 'DefaultAllow',
  },
  {
    name: 'wildcard ACL for another principal counts as ACL on the resource',
    acls: [{ resourceName: '*', principal: 'User:bob' }],
    allowIfNoAcl: true,
    expect: 'DENIED',
  },
  {
    name: 'prefixed ACL for another principal counts as ACL on the resource',
    acls: [{ resourceName: 'ord', patternType: PT.PREFIXED, principal: 'User:bob' }],
    allowIfNoAcl: true,
    expect: 'DENIED',
  },
  {
    name: 'literal ACL whose name is a prefix of the resource does not count',
    acls: [{ resourceName: 'ord', principal: 'User:bob' }],
    allowIfNoAcl: true,
    expect: 'ALLOWED',
  },
  {
    name: 'ACL on another resource type does not apply',
    acls: [{ resourceType: RT.GROUP }],
    expect: 'DENIED',
  },
  { name: 'wildcard resource allow', acls: [{ resourceName: '*' }], expect: 'ALLOWED' },
  { name: 'prefixed allow', acls: [{ resourceName: 'ord', patternType: PT.PREFIXED }], expect: 'ALLOWED' },
  {
    name: 'prefixed allow full name',
    acls: [{ resourceName: 'orders', patternType: PT.PREFIXED }],
    expect: 'ALLOWED',
  },
  {
    name: 'prefixed longer than name',
    acls: [{ resourceName: 'orders-x', patternType: PT.PREFIXED }],
    expect: 'DENIED',
  },
  { name: 'prefixed non-prefix', acls: [{ resourceName: 'x', patternType: PT.PREFIXED }], expect: 'DENIED' },
  { name: 'DENY wins over literal ALLOW', acls: [{}, { permissionType: Perm.DENY }], expect: 'DENIED' },
  {
    name: 'wildcard DENY wins over literal ALLOW',
    acls: [{}, { resourceName: '*', permissionType: Perm.DENY }],
    expect: 'DENIED',
  },
  {
    name: 'prefixed DENY wins over literal ALLOW',
    acls: [{}, { resourceName: 'o', patternType: PT.PREFIXED, permissionType: Perm.DENY }],
    expect: 'DENIED',
  },
  {
    name: 'DENY for User:* applies to alice',
    acls: [{}, { principal: 'User:*', permissionType: Perm.DENY }],
    expect: 'DENIED',
  },
  { name: 'ALLOW for User:* applies', acls: [{ principal: 'User:*' }], expect: 'ALLOWED' },
  { name: 'other principal', acls: [{ principal: 'User:bob' }], expect: 'DENIED' },
  { name: 'principal type matters', acls: [{ principal: 'Group:alice' }], expect: 'DENIED' },
  { name: 'host exact', acls: [{ host: '10.0.0.1' }], req: { host: '10.0.0.1' }, expect: 'ALLOWED' },
  { name: 'host mismatch', acls: [{ host: '10.0.0.2' }], req: { host: '10.0.0.1' }, expect: 'DENIED' },
  {
    name: 'DENY from other host does not apply',
    acls: [{}, { host: '10.0.0.2', permissionType: Perm.DENY }],
    req: { host: '10.0.0.1' },
    expect: 'ALLOWED',
  },
  {
    name: 'ALL allows any op',
    acls: [{ operation: Op.ALL }],
    req: { op: Op.ALTER_CONFIGS },
    expect: 'ALLOWED',
  },
  {
    name: 'DENY ALL denies everything',
    acls: [{ operation: Op.WRITE }, { operation: Op.ALL, permissionType: Perm.DENY }],
    req: { op: Op.WRITE },
    expect: 'DENIED',
  },
  {
    name: 'READ implies DESCRIBE',
    acls: [{ operation: Op.READ }],
    req: { op: Op.DESCRIBE },
    expect: 'ALLOWED',
  },
  {
    name: 'WRITE implies DESCRIBE',
    acls: [{ operation: Op.WRITE }],
    req: { op: Op.DESCRIBE },
    expect: 'ALLOWED',
  },
  {
    name: 'DELETE implies DESCRIBE',
    acls: [{ operation: Op.DELETE }],
    req: { op: Op.DESCRIBE },
    expect: 'ALLOWED',
  },
  {
    name: 'ALTER implies DESCRIBE',
    acls: [{ operation: Op.ALTER }],
    req: { op: Op.DESCRIBE },
    expect: 'ALLOWED',
  },
  {
    name: 'CREATE does not imply DESCRIBE',
    acls: [{ operation: Op.CREATE }],
    req: { op: Op.DESCRIBE },
    expect: 'DENIED',
  },
  {
    name: 'ALTER_CONFIGS implies DESCRIBE_CONFIGS',
    acls: [{ operation: Op.ALTER_CONFIGS }],
    req: { op: Op.DESCRIBE_CONFIGS },
    expect: 'ALLOWED',
  },
  {
    name: 'ALTER does not imply DESCRIBE_CONFIGS',
    acls: [{ operation: Op.ALTER }],
    req: { op: Op.DESCRIBE_CONFIGS },
    expect: 'DENIED',
  },
  {
    name: 'DESCRIBE does not imply READ',
    acls: [{ operation: Op.DESCRIBE }],
    req: { op: Op.READ },
    expect: 'DENIED',
  },
  {
    name: 'DENY READ does not deny DESCRIBE',
    acls: [{ operation: Op.DESCRIBE }, { operation: Op.READ, permissionType: Perm.DENY }],
    req: { op: Op.DESCRIBE },
    expect: 'ALLOWED',
  },
  {
    name: 'DENY READ + ALLOW READ: DESCRIBE still allowed via implication',
    acls: [{ operation: Op.READ }, { operation: Op.READ, permissionType: Perm.DENY }],
    req: { op: Op.DESCRIBE },
    expect: 'ALLOWED',
  },
  {
    name: 'super user bypasses DENY',
    acls: [{ principal: 'User:root', permissionType: Perm.DENY, operation: Op.ALL }],
    req: { principal: 'User:root' },
    superUsers: ['User:root'],
    expect: 'ALLOWED',
    rule: 'SuperUser',
  },
  {
    name: 'ACLs exist, none allow → deny even with allowEveryone',
    acls: [{ operation: Op.WRITE }],
    allowIfNoAcl: true,
    expect: 'DENIED',
    rule: 'DefaultDeny',
  },
  {
    name: 'cluster resource',
    acls: [{ resourceType: RT.CLUSTER, resourceName: 'kafka-cluster', operation: Op.IDEMPOTENT_WRITE }],
    req: { type: RT.CLUSTER, resource: 'kafka-cluster', op: Op.IDEMPOTENT_WRITE },
    expect: 'ALLOWED',
  },
  {
    name: 'resource literally named "*" matched by wildcard',
    acls: [{ resourceName: '*' }],
    req: { resource: '*' },
    expect: 'ALLOWED',
  },
];

void describe('AclAuthorizer (StandardAuthorizer semantics)', () => {
  for (const c of cases) {
    void it(c.name, () => {
      const a = new AclAuthorizer({
        superUsers: c.superUsers ?? [],
        allowEveryoneIfNoAclFound: c.allowIfNoAcl ?? false,
      });
      for (const p of c.acls) a.addAcl(acl(p));
      const d = a.authorize({
        principal: c.req?.principal ?? 'User:alice',
        host: c.req?.host ?? '10.0.0.1',
        resourceType: c.req?.type ?? RT.TOPIC,
        resourceName: c.req?.resource ?? 'orders',
        operation: c.req?.op ?? Op.READ,
      });
      assert.equal(d.result, c.expect);
      if (c.rule !== undefined) assert.equal(d.rule.kind, c.rule);
    });
  }

  void it('agrees with a brute-force reference on random ACL sets', () => {
    // Reference: Kafka's rules written directly as a scan over every ACL.
    const names = ['a', 'ab', 'abc', 'b', '*'];
    const principals = ['User:alice', 'User:bob', 'User:*'];
    const ops = [Op.READ, Op.WRITE, Op.DESCRIBE, Op.ALL, Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS];
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)] as T;
    for (let round = 0; round < 300; round++) {
      const a = new AclAuthorizer({ allowEveryoneIfNoAclFound: rnd(2) === 0 });
      const list: AclBinding[] = [];
      const n = rnd(6);
      for (let i = 0; i < n; i++) {
        const pt = pick([PT.LITERAL, PT.PREFIXED]);
        const name = pick(names.filter((x) => pt === PT.LITERAL || x !== '*'));
        const b = acl({
          resourceName: name,
          patternType: pt,
          principal: pick(principals),
          host: pick(['*', '1.1.1.1', '2.2.2.2']),
          operation: pick(ops),
          permissionType: pick([Perm.ALLOW, Perm.DENY]),
        });
        a.addAcl(b);
        list.push(b);
      }
      const allowEveryone =
        a.authorize({
          principal: 'User:zed',
          host: 'h',
          resourceType: RT.GROUP,
          resourceName: 'g',
          operation: Op.READ,
        }).result === 'ALLOWED';
      for (const resource of ['a', 'ab', 'abcd', 'b', 'c']) {
        for (const op of ops.filter((o) => o !== Op.ALL)) {
          const principal = pick(['User:alice', 'User:bob']);
          const host = pick(['1.1.1.1', '2.2.2.2']);
          const applies = list.filter((x) =>
            x.patternType === PT.LITERAL
              ? x.resourceName === resource || x.resourceName === '*'
              : resource.startsWith(x.resourceName),
          );
          const matches = (x: AclBinding): boolean => {
            if (x.principal !== principal && x.principal !== 'User:*') return false;
            if (x.host !== '*' && x.host !== host) return false;
            if (x.operation === Op.ALL) return true;
            if (x.permissionType === Perm.ALLOW && op === Op.DESCRIBE)
              return [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER, Op.DESCRIBE].includes(x.operation as never);
            if (x.permissionType === Perm.ALLOW && op === Op.DESCRIBE_CONFIGS)
              return [Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS].includes(x.operation as never);
            return x.operation === op;
          };
          let expected: string;
          if (applies.some((x) => x.permissionType === Perm.DENY && matches(x))) expected = 'DENIED';
          else if (applies.some((x) => x.permissionType === Perm.ALLOW && matches(x))) expected = 'ALLOWED';
          else if (applies.length === 0) expected = allowEveryone ? 'ALLOWED' : 'DENIED';
          else expected = 'DENIED';
          const got = a.authorize({
            principal,
            host,
            resourceType: RT.TOPIC,
            resourceName: resource,
            operation: op,
          }).result;
          assert.equal(got, expected, `${JSON.stringify(list)} ${principal} ${host} ${resource} ${op}`);
        }
      }
    }
  });

  void it('add is idempotent, remove undoes add (including prefix trie pruning)', () => {
    const a = new AclAuthorizer();
    const b = acl({ resourceName: 'ord', patternType: PT.PREFIXED });
    assert.equal(a.addAcl(b).added, true);
    assert.equal(a.addAcl({ ...b }).added, false);
    assert.equal(a.size, 1);
    const req = {
      principal: 'User:alice',
      host: 'h',
      resourceType: RT.TOPIC,
      resourceName: 'orders',
      operation: Op.READ,
    };
    assert.equal(a.authorize(req).result, 'ALLOWED');
    assert.ok(a.removeAcl(b));
    assert.equal(a.removeAcl(b), undefined);
    assert.equal(a.size, 0);
    assert.equal(a.authorize(req).rule.kind, 'DefaultDeny');
    a.addAcl(b);
    a.removeAcl(aclKey(b));
    assert.equal(a.size, 0);
  });

  void it('rejects invalid ACLs as CreateAcls would', () => {
    const a = new AclAuthorizer();
    assert.throws(() => a.addAcl(acl({ resourceType: RT.ANY })), InvalidAclError);
    assert.throws(() => a.addAcl(acl({ patternType: PT.MATCH })), InvalidAclError);
    assert.throws(() => a.addAcl(acl({ operation: Op.ANY })), InvalidAclError);
    assert.throws(() => a.addAcl(acl({ permissionType: Perm.ANY })), InvalidAclError);
    assert.throws(() => a.addAcl(acl({ resourceName: '' })), InvalidAclError);
    assert.throws(() => a.addAcl(acl({ principal: 'alice' })), InvalidAclError);
  });

  void it('parses super.users', () => {
    assert.deepEqual(parseSuperUsers(' User:a ; User:b;;'), ['User:a', 'User:b']);
  });
});

void describe('ACL filters (DescribeAcls / DeleteAcls)', () => {
  const a = new AclAuthorizer();
  const lit = acl({ resourceName: 'orders' });
  const wild = acl({ resourceName: '*', principal: 'User:bob' });
  const pre = acl({ resourceName: 'ord', patternType: PT.PREFIXED, operation: Op.WRITE });
  const other = acl({ resourceName: 'payments', host: '1.2.3.4' });
  const group = acl({ resourceType: RT.GROUP, resourceName: 'orders' });
  for (const b of [lit, wild, pre, other, group]) a.addAcl(b);
  const f = (p: Partial<AclBindingFilter>): AclBindingFilter => ({ ...ANY_ACL_FILTER, ...p });
  const table: [string, Partial<AclBindingFilter>, AclBinding[]][] = [
    ['ANY matches all', {}, [lit, wild, pre, other, group]],
    ['resource type', { resourceType: RT.GROUP }, [group]],
    [
      'LITERAL name exact only',
      { resourceType: RT.TOPIC, patternType: PT.LITERAL, resourceName: 'orders' },
      [lit],
    ],
    ['ANY pattern type, name exact', { resourceName: 'orders' }, [lit, group]],
    [
      'MATCH pattern type',
      { resourceType: RT.TOPIC, patternType: PT.MATCH, resourceName: 'orders' },
      [lit, wild, pre],
    ],
    ['PREFIXED exact', { patternType: PT.PREFIXED, resourceName: 'ord' }, [pre]],
    ['PREFIXED no name', { patternType: PT.PREFIXED }, [pre]],
    ['principal exact (no wildcard expansion)', { principal: 'User:bob' }, [wild]],
    ['principal User:* literal only', { principal: 'User:*' }, []],
    ['host exact', { host: '1.2.3.4' }, [other]],
    ['operation', { operation: Op.WRITE }, [pre]],
    ['permission', { permissionType: Perm.DENY }, []],
  ];
  for (const [name, filter, expected] of table) {
    void it(name, () => {
      const got = a.acls(f(filter)).map(aclKey).sort();
      assert.deepEqual(got, expected.map(aclKey).sort());
    });
  }
  void it('rejects UNKNOWN filters', () => {
    assert.throws(() => a.acls(f({ resourceType: RT.UNKNOWN })), InvalidAclError);
    assert.throws(() => a.acls(f({ operation: Op.UNKNOWN })), InvalidAclError);
  });
  void it('deleteAcls removes what matches', () => {
    const b = new AclAuthorizer();
    for (const x of [lit, wild, pre]) b.addAcl(x);
    const removed = b.deleteAcls(
      f({ resourceType: RT.TOPIC, patternType: PT.MATCH, resourceName: 'orders', principal: 'User:alice' }),
    );
    assert.deepEqual(removed.map(aclKey).sort(), [lit, pre].map(aclKey).sort());
    assert.equal(b.size, 1);
  });
});

void describe('authorizeAny (Authorizer.authorizeByResourceType)', () => {
  const P = 'User:alice';
  const any = (
    acls: Partial<AclBinding>[],
    opts: { su?: string[]; allowEveryone?: boolean; principal?: string } = {},
  ) => {
    const a = new AclAuthorizer({
      superUsers: opts.su ?? [],
      allowEveryoneIfNoAclFound: opts.allowEveryone ?? false,
    });
    for (const x of acls) a.addAcl(acl(x));
    return a.authorizeAny(opts.principal ?? P, '1.1.1.1', RT.TOPIC, Op.WRITE);
  };
  const table: [
    string,
    Partial<AclBinding>[],
    'ALLOWED' | 'DENIED',
    { su?: string[]; allowEveryone?: boolean }?,
  ][] = [
    ['no ACLs', [], 'DENIED'],
    ['no ACLs, allow everyone (hardcode probe)', [], 'ALLOWED', { allowEveryone: true }],
    [
      'super user',
      [{ operation: Op.WRITE, permissionType: Perm.DENY, resourceName: '*' }],
      'ALLOWED',
      { su: [P] },
    ],
    ['literal allow on some topic', [{ operation: Op.WRITE }], 'ALLOWED'],
    ['ALL allow', [{ operation: Op.ALL }], 'ALLOWED'],
    ['READ does not count (no implication here)', [{ operation: Op.READ }], 'DENIED'],
    ['prefixed allow', [{ operation: Op.WRITE, patternType: PT.PREFIXED, resourceName: 'x' }], 'ALLOWED'],
    [
      'literal allow + same literal deny',
      [{ operation: Op.WRITE }, { operation: Op.WRITE, permissionType: Perm.DENY }],
      'DENIED',
    ],
    [
      'literal allow dominated by prefixed deny',
      [
        { operation: Op.WRITE },
        { operation: Op.WRITE, permissionType: Perm.DENY, patternType: PT.PREFIXED, resourceName: 'or' },
      ],
      'DENIED',
    ],
    [
      'prefixed allow not dominated by longer deny prefix',
      [
        { operation: Op.WRITE, patternType: PT.PREFIXED, resourceName: 'or' },
        { operation: Op.WRITE, permissionType: Perm.DENY, patternType: PT.PREFIXED, resourceName: 'orders' },
      ],
      'ALLOWED',
    ],
    [
      'wildcard deny',
      [{ operation: Op.WRITE }, { operation: Op.ALL, permissionType: Perm.DENY, resourceName: '*' }],
      'DENIED',
    ],
    ['wildcard allow', [{ operation: Op.WRITE, resourceName: '*' }], 'ALLOWED'],
    ['User:* allow', [{ operation: Op.WRITE, principal: 'User:*' }], 'ALLOWED'],
    ['other principal', [{ operation: Op.WRITE, principal: 'User:bob' }], 'DENIED'],
    ['other host', [{ operation: Op.WRITE, host: '9.9.9.9' }], 'DENIED'],
  ];
  for (const [name, acls, expected, opts] of table)
    void it(name, () => assert.equal(any(acls, opts), expected));
  void it('rejects filter codes', () => {
    const a = new AclAuthorizer();
    assert.throws(() => a.authorizeAny(P, 'h', RT.ANY, Op.WRITE), RangeError);
    assert.throws(() => a.authorizeAny(P, 'h', RT.TOPIC, Op.ANY), RangeError);
  });
});

void describe('ACL records', () => {
  void it('round-trips and tombstones', () => {
    const b = acl({ resourceName: 'a:b,"c"', principal: 'User:CN=x,O=y', patternType: PT.PREFIXED });
    const r = encodeAclRecord(b);
    assert.match(r.key, /^acl:\["TOPIC",/);
    const d = decodeAclRecord(r.key, r.value);
    assert.equal(d.op, 'put');
    assert.deepEqual(d.acl, b);
    const t = aclTombstone(b);
    const dd = decodeAclRecord(t.key, t.value);
    assert.equal(dd.op, 'delete');
    assert.deepEqual(dd.acl, b);
  });
  void it('rejects mismatched or bad records', () => {
    const r = encodeAclRecord(acl({}));
    assert.throws(() => decodeAclRecord('acl:["TOPIC"]', r.value));
    assert.throws(() => decodeAclRecord(aclKey(acl({ resourceName: 'x' })), r.value));
    assert.throws(() => decodeAclRecord(r.key, Buffer.from('{"v":2,"acl":{}}')));
  });
});

void describe('javaHostAddress', () => {
  const table: [string, string][] = [
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['fe80::1%eth0', 'fe80:0:0:0:0:0:0:1%eth0'],
    ['2001:db8::abcd:12', '2001:db8:0:0:0:0:abcd:12'],
    ['not-an-ip', 'not-an-ip'],
  ];
  for (const [input, out] of table) void it(input, () => assert.equal(javaHostAddress(input), out));
});
