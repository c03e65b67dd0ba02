/**
 * `kgw failover`'s inputs: clusters named by the mirror configuration's aliases (with --bootstrap
 * overrides), topic names across the replication policies, group selection, and provenance parsing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { IDENTITY_POLICY } from '../../../mirror/config/keys.js';
import {
  FailoverInputError,
  resolveClusters,
  sourceTopicName,
  targetTopicName,
} from '../../../mirror/failover/clusters.js';
import { FailoverError, selectGroups } from '../../../mirror/failover/facts.js';
import { originOf } from '../../../mirror/failover/origin.js';
import { securityProtocol } from '../../../client/cluster-connection.js';
import { DefaultReplicationPolicy, policyFor } from '../../../mm2/replication-policy.js';

const dir = mkdtempSync(join(tmpdir(), 'kgw-failover-'));
function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const config = write(
  'mm2.properties',
  [
    'clusters = east, west',
    'east.bootstrap.servers = e1:9092,e2:9092',
    'west.bootstrap.servers = w1:9092',
    'west.security.protocol = SASL_PLAINTEXT',
    'west.sasl.mechanism = SCRAM-SHA-512',
    'west.sasl.jaas.config = org.apache.kafka.common.security.scram.ScramLoginModule required username="mm2" password="s3cret";',
    `replication.policy.class = ${IDENTITY_POLICY}`,
    'west->east.offset-syncs.topic.location = target',
  ].join('\n'),
);

describe('failover clusters', () => {
  test("aliases come from the mirror's configuration, security included; --bootstrap overrides servers", () => {
    const c = resolveClusters({ config, bootstrap: ['west=10.0.0.9:9093'], from: 'east', to: 'west' });
    assert.deepEqual(c.source.bootstrapServers, ['e1:9092', 'e2:9092']);
    assert.deepEqual(c.target.bootstrapServers, ['10.0.0.9:9093']);
    assert.deepEqual(c.target.connection.sasl, {
      mechanism: 'SCRAM-SHA-512',
      username: 'mm2',
      password: 's3cret',
    });
    assert.deepEqual(c.target.connection.bootstrap, ['10.0.0.9:9093'], 'the override reaches the connection');
    assert.equal(c.policy.kind, 'identity');
    assert.equal(c.forwardSyncsLocation, 'source');
    assert.equal(c.reverseSyncsLocation, 'target');
  });

  test('without a configuration, --bootstrap names the clusters (plaintext, default policy)', () => {
    const c = resolveClusters({ bootstrap: ['a=h1:1', 'b=h2:2,h3:3'], from: 'a', to: 'b' });
    assert.deepEqual(c.target.bootstrapServers, ['h2:2', 'h3:3']);
    assert.equal(securityProtocol(c.target.connection), 'PLAINTEXT');
    assert.equal(c.policy.kind, 'default');
    const identity = resolveClusters({
      bootstrap: ['a=h1:1', 'b=h2:2'],
      from: 'a',
      to: 'b',
      replicationPolicy: 'identity',
    });
    assert.equal(identity.policy.kind, 'identity');
  });

  test('mistakes are named with what to do', () => {
    const cases: [Parameters<typeof resolveClusters>[0], RegExp][] = [
      [
        { config, bootstrap: [], from: 'east', to: 'north' },
        /"north" \(--to\) is not defined in .*mm2\.properties \(its clusters: east, west\)/,
      ],
      [
        { bootstrap: [], from: 'a', to: 'b' },
        /cluster "a" \(--from\) is unknown: give --config .* or --bootstrap a=/,
      ],
      [{ bootstrap: ['a=h:1'], from: 'a', to: 'a' }, /--from and --to both name "a"/],
      [{ bootstrap: ['a'], from: 'a', to: 'b' }, /--bootstrap "a": expected <cluster alias>=<host:port>/],
      [{ bootstrap: ['a=nohost'], from: 'a', to: 'b' }, /"nohost" is not host:port/],
      [
        { bootstrap: ['a=h:1', 'b=h:2'], from: 'a', to: 'b', replicationPolicy: 'prefix' },
        /expected default or identity/,
      ],
      [
        { config, bootstrap: [], from: 'east', to: 'west', replicationPolicy: 'identity' },
        /only for runs without --config/,
      ],
    ];
    for (const [input, message] of cases)
      assert.throws(
        () => resolveClusters(input),
        (e: Error) => e instanceof FailoverInputError && message.test(e.message),
      );
    assert.throws(
      () => resolveClusters({ config: join(dir, 'missing.properties'), bootstrap: [], from: 'a', to: 'b' }),
      /missing\.properties.*cannot read/,
    );
  });
});

describe('topic names across clusters (MirrorCheckpointTask.renameTopicPartition)', () => {
  test('default policy: remote names one way, original names for topics that came back', () => {
    const p = new DefaultReplicationPolicy('.');
    assert.equal(targetTopicName(p, 'east', 'west', 'orders'), 'east.orders');
    assert.equal(targetTopicName(p, 'east', 'west', 'west.payments'), 'payments');
    for (const t of ['orders', 'west.payments'])
      assert.equal(sourceTopicName(p, 'east', 'west', targetTopicName(p, 'east', 'west', t)), t);
  });

  test('identity policy: the same name on both sides', () => {
    const p = policyFor({ policy: 'identity', separator: '.', source: 'east' });
    assert.equal(targetTopicName(p, 'east', 'west', 'orders'), 'orders');
    assert.equal(sourceTopicName(p, 'east', 'west', 'orders'), 'orders');
  });
});

describe('group selection', () => {
  const known = ['billing', 'billing-eu', 'ops.audit', 'opsXaudit'];

  test('an exact name selects that group only, even when it reads as a wider pattern', () => {
    assert.deepEqual(selectGroups('billing', known), ['billing']);
    assert.deepEqual(selectGroups('ops.audit', known), ['ops.audit']);
  });

  test('otherwise a regular expression over whole names', () => {
    assert.deepEqual(selectGroups('billing.*', known), ['billing', 'billing-eu']);
    assert.deepEqual(
      selectGroups('ops', known),
      ['ops'],
      'a plain unknown name is kept, to be refused with a reason',
    );
    assert.deepEqual(selectGroups('bill', known), ['bill']);
    assert.deepEqual(selectGroups('x+', known), []);
    assert.throws(
      () => selectGroups('(', known),
      (e: Error) =>
        e instanceof FailoverError && /--group "\(" is not a valid regular expression/.test(e.message),
    );
  });
});

describe('provenance', () => {
  const h = (key: string, value: string | null): { key: string; value: Buffer | null } => ({
    key,
    value: value === null ? null : Buffer.from(value),
  });

  test('a mirrored record names its origin; a local one has none', () => {
    assert.deepEqual(
      originOf([
        h('app', 'x'),
        h('kgw.origin.cluster', 'east'),
        h('kgw.origin.topic', 'orders'),
        h('kgw.origin.partition', '3'),
        h('kgw.origin.offset', '12345678901'),
        h('kgw.path', 'east'),
      ]),
      { cluster: 'east', topic: 'orders', partition: 3, offset: 12345678901n },
    );
    assert.equal(originOf([h('app', 'x')]), undefined);
  });

  test('incomplete or malformed provenance is not trusted', () => {
    const base = [
      h('kgw.origin.cluster', 'east'),
      h('kgw.origin.topic', 'orders'),
      h('kgw.origin.partition', '3'),
    ];
    assert.equal(originOf(base), undefined);
    assert.equal(originOf([...base, h('kgw.origin.offset', '-1')]), undefined);
    assert.equal(originOf([...base, h('kgw.origin.offset', null)]), undefined);
    assert.equal(
      originOf([...base.slice(0, 2), h('kgw.origin.partition', 'x'), h('kgw.origin.offset', '1')]),
      undefined,
    );
  });
});
