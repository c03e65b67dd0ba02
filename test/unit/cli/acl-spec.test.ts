/**
 * kafka-acls.sh's vocabulary turned into ACL bindings and filters (cli/support/acl-spec.ts): every
 * combination of principals, hosts and operations, the --producer / --consumer sets of Kafka's
 * AclCommand, names as Kafka's tool accepts them, and Kafka's per-resource supported operations.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bindingsToAdd, filters, operationName, resourceTypeName } from '../../../cli/support/acl-spec.js';
import { UsageError } from '../../../cli/support/errors.js';
import { AclPermissionType, PatternType } from '../../../security/acl/index.js';

const show = (flags: Parameters<typeof bindingsToAdd>[0]): string[] =>
  bindingsToAdd(flags)
    .map(
      (b) =>
        `${resourceTypeName(b.resourceType)}:${b.resourceName} ${b.principal}@${b.host} ${operationName(b.operation)} ${b.permissionType === AclPermissionType.ALLOW ? 'ALLOW' : 'DENY'}`,
    )
    .sort();

describe('kgw acls add', () => {
  test('one binding per resource × principal × host × operation, allow and deny', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 2 }),
        fc.uniqueArray(fc.constantFrom('10.0.0.1', '10.0.0.2', '*'), { maxLength: 2 }),
        fc.uniqueArray(fc.constantFrom('read', 'Write', 'DESCRIBE', 'describe-configs', 'alter_configs'), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 2 }),
        (allow, deny, hosts, ops, topics) => {
          const bindings = bindingsToAdd({
            allowPrincipal: allow,
            denyPrincipal: deny,
            allowHost: hosts,
            denyHost: hosts,
            operation: ops,
            topic: topics,
          });
          const h = hosts.length || 1;
          assert.equal(bindings.length, topics.length * ops.length * (allow.length + deny.length) * h);
          assert.equal(
            new Set(bindings.map((b) => JSON.stringify(b))).size,
            bindings.length,
            'no duplicates',
          );
          assert.ok(
            bindings.every((b) => b.principal.startsWith('User:') && b.patternType === PatternType.LITERAL),
          );
        },
      ),
    );
  });

  test("--producer and --consumer give Kafka's AclCommand sets", () => {
    assert.deepEqual(show({ allowPrincipal: ['p'], producer: true, topic: ['t'] }), [
      'TOPIC:t User:p@* CREATE ALLOW',
      'TOPIC:t User:p@* DESCRIBE ALLOW',
      'TOPIC:t User:p@* WRITE ALLOW',
    ]);
    assert.deepEqual(show({ allowPrincipal: ['c'], consumer: true, topic: ['t'], group: ['g'] }), [
      'GROUP:g User:c@* READ ALLOW',
      'TOPIC:t User:c@* DESCRIBE ALLOW',
      'TOPIC:t User:c@* READ ALLOW',
    ]);
    assert.throws(() => bindingsToAdd({ allowPrincipal: ['c'], consumer: true, topic: ['t'] }), UsageError);
  });

  test("Kafka's supported operations per resource type; a principal's type is kept", () => {
    assert.throws(
      () => bindingsToAdd({ allowPrincipal: ['x'], operation: ['Read'], clusterResource: true }),
      /CLUSTER resources support only/,
    );
    assert.throws(
      () => bindingsToAdd({ allowPrincipal: ['x'], operation: ['Write'], group: ['g'] }),
      /GROUP resources support only ALL, READ, DESCRIBE, DELETE, DESCRIBE_CONFIGS, ALTER_CONFIGS; not WRITE/,
    );
    assert.throws(
      () => bindingsToAdd({ allowPrincipal: ['x'], operation: ['fly'], topic: ['t'] }),
      /--operation "fly": expected one of/,
    );
    assert.deepEqual(
      show({ allowPrincipal: ['Group:ops'], operation: ['IdempotentWrite'], clusterResource: true }),
      ['CLUSTER:kafka-cluster Group:ops@* IDEMPOTENT_WRITE ALLOW'],
    );
    assert.equal(
      bindingsToAdd({ allowPrincipal: ['x'], topic: ['t'], resourcePatternType: 'prefixed' })[0]!.patternType,
      PatternType.PREFIXED,
    );
    assert.throws(
      () => bindingsToAdd({ allowPrincipal: ['x'], topic: ['t'], resourcePatternType: 'any' }),
      /expected one of literal, prefixed/,
    );
  });
});

describe('kgw acls list / remove filters', () => {
  test('no resource: everything of any pattern type; a resource: LITERAL unless told', () => {
    const all = filters({}, { requireResource: false });
    assert.equal(all.length, 1);
    assert.equal(all[0]!.resourceName, null);
    assert.equal(all[0]!.patternType, PatternType.ANY);
    const one = filters({ topic: ['t'], principal: ['bob'] }, { requireResource: false });
    assert.equal(one[0]!.patternType, PatternType.LITERAL);
    assert.equal(one[0]!.principal, 'User:bob');
    assert.throws(() => filters({}, { requireResource: true }), /name the resource whose ACLs to remove/);
  });
});
