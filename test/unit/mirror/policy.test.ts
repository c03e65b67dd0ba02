import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { loadMirrorConfig } from '../../../mirror/config/config.js';
import {
  DefaultReplicationPolicy,
  IdentityReplicationPolicy,
  isCycle,
} from '../../../mm2/replication-policy.js';
import { replicableConfig, shouldReplicateTopic, targetAcl } from '../../../mirror/source/topics.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

function flow(extra = '') {
  const file = join(mkdtempSync(join(tmpdir(), 'kgw-policy-')), 'm.properties');
  writeFileSync(
    file,
    `clusters=east,west\neast.bootstrap.servers=h:1\nwest.bootstrap.servers=h:2\neast->west.enabled=true\n${extra}`,
  );
  return loadMirrorConfig(file).flows.find((f) => f.name === 'east->west')!;
}

describe('replication policies', () => {
  test('DefaultReplicationPolicy names and sources', () => {
    const p = new DefaultReplicationPolicy('.');
    assert.equal(p.formatRemoteTopic('east', 'orders'), 'east.orders');
    assert.equal(p.topicSource('west.east.orders'), 'west');
    assert.equal(p.upstreamTopic('west.east.orders'), 'east.orders');
    assert.equal(p.originalTopic('west.east.orders'), 'orders');
    assert.equal(p.topicSource('orders'), null);
    assert.ok(p.isHeartbeatsTopic('heartbeats') && p.isHeartbeatsTopic('west.east.heartbeats'));
    assert.ok(p.isInternalTopic('mm2-offset-syncs.west.internal') && p.isInternalTopic('__consumer_offsets'));
    assert.ok(p.isInternalTopic('kgw-mirror-offsets.east.internal'));
  });

  test('cycle detection by name (default policy) and none by name for identity', () => {
    const p = new DefaultReplicationPolicy('.');
    assert.ok(isCycle(p, 'west', 'west.orders'));
    assert.ok(isCycle(p, 'west', 'north.west.orders'));
    assert.ok(!isCycle(p, 'west', 'north.orders'));
    const id = new IdentityReplicationPolicy('.', 'east');
    assert.equal(id.formatRemoteTopic('east', 'orders'), 'orders');
    assert.equal(id.formatRemoteTopic('east', 'heartbeats'), 'east.heartbeats');
    assert.ok(!isCycle(id, 'west', 'orders'));
    assert.ok(isCycle(id, 'west', 'west.heartbeats'));
  });

  test('shouldReplicateTopic: filter, heartbeats, internal topics, cycles', () => {
    const f = flow('topics=orders\n');
    const p = new DefaultReplicationPolicy('.');
    assert.ok(shouldReplicateTopic(f, p, 'orders'));
    assert.ok(!shouldReplicateTopic(f, p, 'payments'));
    assert.ok(shouldReplicateTopic(f, p, 'heartbeats'), 'heartbeats always travel');
    assert.ok(shouldReplicateTopic(f, p, 'north.heartbeats'));
    assert.ok(!shouldReplicateTopic(f, p, 'west.heartbeats'), 'not back to where they came from');
    assert.ok(!shouldReplicateTopic(flow(), p, 'east.checkpoints.internal'));
    assert.ok(!shouldReplicateTopic(flow(), p, 'west.orders'));
  });

  test('config property filter: only non-default topic overrides, minus the exclude list', () => {
    const f = flow();
    const cfg = replicableConfig(f, [
      {
        configName: 'retention.ms',
        configValue: '1000',
        isDefault: false,
        readOnly: false,
        isSensitive: false,
        configSource: 1,
      },
      {
        configName: 'min.insync.replicas',
        configValue: '2',
        isDefault: false,
        readOnly: false,
        isSensitive: false,
        configSource: 1,
      },
      {
        configName: 'segment.bytes',
        configValue: '1',
        isDefault: true,
        readOnly: false,
        isSensitive: false,
        configSource: 5,
      },
      {
        configName: 'cleanup.policy',
        configValue: 'compact',
        isDefault: false,
        readOnly: false,
        isSensitive: false,
        configSource: 4,
      },
      {
        configName: 'leader.replication.throttled.replicas',
        configValue: '*',
        isDefault: false,
        readOnly: false,
        isSensitive: false,
        configSource: 1,
      },
    ]);
    assert.deepEqual(cfg, [{ name: 'retention.ms', value: '1000' }]);
  });

  test('ACL rules: ALLOW WRITE dropped, ALLOW ALL → ALLOW READ, others kept, LITERAL on the remote name', () => {
    const base = {
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'orders',
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: 'User:alice',
      host: '*',
    };
    const allow = AclPermissionTypes.ALLOW;
    assert.equal(
      targetAcl({ ...base, operation: AclOperationTypes.WRITE, permissionType: allow }, 'east.orders'),
      undefined,
    );
    assert.equal(
      targetAcl({ ...base, operation: AclOperationTypes.ALL, permissionType: allow }, 'east.orders')!
        .operation,
      AclOperationTypes.READ,
    );
    const deny = targetAcl(
      { ...base, operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.DENY },
      'east.orders',
    )!;
    assert.equal(deny.operation, AclOperationTypes.WRITE);
    assert.equal(deny.resourceName, 'east.orders');
    assert.equal(deny.resourcePatternType, ResourcePatternTypes.LITERAL);
  });
});
