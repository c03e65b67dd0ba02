import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../config/errors.js';
import { loadMirrorConfig } from '../../../mirror/config/config.js';
import { parseProperties } from '../../../config/properties.js';

const dir = mkdtempSync(join(tmpdir(), 'kgw-mirror-config-'));
function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Kafka's own config/connect-mirror-maker.properties, as shipped. */
const SHIPPED = `# Licensed to the Apache Software Foundation (ASF) ...
# specify any number of cluster aliases
clusters = A, B

# connection information for each cluster
A.bootstrap.servers = A_host1:9092, A_host2:9092, A_host3:9092
B.bootstrap.servers = B_host1:9092, B_host2:9092, B_host3:9092

# enable and configure individual replication flows
A->B.enabled = true

# regex which defines which topics gets replicated. For eg "foo-.*"
A->B.topics = .*

B->A.enabled = true
B->A.topics = .*

replication.factor=1
checkpoints.topic.replication.factor=1
heartbeats.topic.replication.factor=1
offset-syncs.topic.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
config.storage.replication.factor=1
`;

describe('mirror config: mm2.properties', () => {
  test('java.util.Properties syntax: separators, comments, continuations, escapes', () => {
    const e = parseProperties('# c\n! c\na=1\nb : 2\nc 3\nd = x, \\\n    y\ne=\\u0041\\tB\n  f=\n');
    assert.deepEqual(
      e.map((x) => [x.key, x.value, x.line]),
      [
        ['a', '1', 3],
        ['b', '2', 4],
        ['c', '3', 5],
        ['d', 'x, y', 6],
        ['e', 'A\tB', 8],
        ['f', '', 9],
      ],
    );
  });

  test("Kafka's shipped connect-mirror-maker.properties loads as is", () => {
    const c = loadMirrorConfig(write('shipped.properties', SHIPPED));
    assert.deepEqual([...c.clusters.keys()], ['A', 'B']);
    assert.deepEqual(c.clusters.get('A')!.bootstrapServers, ['A_host1:9092', 'A_host2:9092', 'A_host3:9092']);
    const ab = c.flows.find((f) => f.name === 'A->B')!;
    assert.equal(ab.enabled, true);
    assert.equal(ab.replicationFactor, 1);
    assert.equal(ab.policy, 'default');
    assert.equal(ab.emitCheckpointsIntervalMs, 60_000);
    assert.equal(ab.offsetLagMax, 100);
    assert.ok(ab.topicsExclude.matches('mm2-offset-syncs.B.internal'));
    assert.ok(ab.topicsExclude.matches('__consumer_offsets'));
    assert.ok(ab.groupsExclude.matches('console-consumer-123'));
    assert.ok(ab.configPropertiesExclude.matches('min.insync.replicas'));
    assert.ok(!ab.configPropertiesExclude.matches('retention.ms'));
    assert.equal(c.warnings.length, 3, 'Connect storage keys are accepted with a warning');
  });

  test('per-flow overrides win over global settings; policy, separator, intervals', () => {
    const c = loadMirrorConfig(
      write(
        'flows.properties',
        [
          'clusters = east, west',
          'east.bootstrap.servers = 127.0.0.1:1',
          'west.bootstrap.servers = 127.0.0.1:2',
          'east->west.enabled = TRUE',
          'topics = orders, pay.*',
          'east->west.topics = only',
          'replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
          'replication.policy.separator = _',
          'emit.heartbeats.enabled = false',
          'east->west.sync.group.offsets.enabled = true',
          'sync.group.offsets.interval.seconds = 5',
        ].join('\n'),
      ),
    );
    const ew = c.flows.find((f) => f.name === 'east->west')!;
    const we = c.flows.find((f) => f.name === 'west->east')!;
    assert.ok(ew.enabled && !we.enabled);
    assert.ok(ew.topics.matches('only') && !ew.topics.matches('orders'));
    assert.ok(we.topics.matches('payments') && !we.topics.matches('xorders'));
    assert.equal(ew.policy, 'identity');
    assert.equal(ew.separator, '_');
    assert.equal(ew.emitHeartbeatsIntervalMs, -1);
    assert.equal(ew.syncGroupOffsetsIntervalMs, 5000);
    assert.equal(we.syncGroupOffsetsIntervalMs, -1);
  });

  test('SASL and PEM truststore settings', () => {
    const pem = write('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const c = loadMirrorConfig(
      write(
        'sasl.properties',
        [
          'clusters = a, b',
          'a.bootstrap.servers = h:9093',
          'a.security.protocol = SASL_SSL',
          'a.sasl.mechanism = SCRAM-SHA-512',
          'a.sasl.jaas.config = org.apache.kafka.common.security.scram.ScramLoginModule required username="mirror" password="p\\\\"w";',
          `a.ssl.truststore.location = ${pem}`,
          'b.bootstrap.servers = h:9092',
        ].join('\n'),
      ),
    );
    const a = c.clusters.get('a')!;
    assert.deepEqual(a.connection.sasl, { mechanism: 'SCRAM-SHA-512', username: 'mirror', password: 'p"w' });
    assert.deepEqual(a.connection.tls, { ca: pem, verifyHostname: true });
    assert.throws(
      () =>
        loadMirrorConfig(
          write(
            'no-password.properties',
            [
              'clusters = a',
              'a.bootstrap.servers = h:9093',
              'a.security.protocol = SASL_PLAINTEXT',
              'a.sasl.mechanism = PLAIN',
              'a.sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required username="u";',
            ].join('\n'),
          ),
        ),
      /no-password\.properties:5: a\.sasl\.jaas\.config: PLAIN needs sasl\.jaas\.config with username="…" and password="…"/,
    );
  });

  const bad: [string, string, RegExp][] = [
    [
      'unknown key',
      'clusters=a,b\na.bootstrap.servers=h:1\nb.bootstrap.servers=h:2\nfoo.bar = 1',
      /bad\.properties:4: foo\.bar: unknown key/,
    ],
    [
      'bad boolean',
      'clusters=a,b\na.bootstrap.servers=h:1\nb.bootstrap.servers=h:2\na->b.enabled = yes',
      /bad\.properties:4: a->b\.enabled: expected true or false, got "yes"/,
    ],
    [
      'bad regex',
      'clusters=a,b\na.bootstrap.servers=h:1\nb.bootstrap.servers=h:2\n\ntopics = ok, [broken',
      /bad\.properties:5: topics: invalid regular expression/,
    ],
    [
      'unknown cluster in flow',
      'clusters=a,b\na.bootstrap.servers=h:1\nb.bootstrap.servers=h:2\na->c.enabled=true',
      /bad\.properties:4: a->c\.enabled: cluster "c" is not listed/,
    ],
    [
      'bad policy',
      'clusters=a,b\na.bootstrap.servers=h:1\nb.bootstrap.servers=h:2\nreplication.policy.class=com.acme.Policy',
      /bad\.properties:4: replication\.policy\.class: unsupported replication policy "com\.acme\.Policy"/,
    ],
    [
      'missing bootstrap',
      'clusters=a,b\na.bootstrap.servers=h:1',
      /bad\.properties: b\.bootstrap\.servers: missing/,
    ],
    [
      'negative lag',
      'clusters=a,b\na.bootstrap.servers=h:1\nb.bootstrap.servers=h:2\noffset.lag.max=-5',
      /bad\.properties:4: offset\.lag\.max: must be at least 0, got -5/,
    ],
    [
      'unsupported client key',
      'clusters=a,b\na.bootstrap.servers=h:1\nb.bootstrap.servers=h:2\na.producer.linger.ms=5',
      /bad\.properties:4: a\.producer\.linger\.ms: unknown or unsupported cluster setting/,
    ],
    [
      'bad mechanism',
      'clusters=a,b\na.bootstrap.servers=h:1\nb.bootstrap.servers=h:2\na.security.protocol=SASL_PLAINTEXT\na.sasl.mechanism=GSSAPI',
      /bad\.properties:5: a\.sasl\.mechanism: GSSAPI .* set PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER/,
    ],
  ];
  for (const [what, text, expected] of bad) {
    test(`rejects ${what} naming file, line, key and value`, () => {
      assert.throws(
        () => loadMirrorConfig(write('bad.properties', text)),
        (err: unknown) => err instanceof ConfigError && expected.test(err.message),
      );
    });
  }
});

describe('mirror config: YAML', () => {
  test('nested clusters and flows flatten to MM2 keys', () => {
    const c = loadMirrorConfig(
      write(
        'm.yaml',
        [
          'clusters:',
          '  east: { bootstrap.servers: "127.0.0.1:1" }',
          '  west:',
          '    bootstrap.servers: 127.0.0.1:2',
          'flows:',
          '  east->west:',
          '    enabled: true',
          '    topics: [orders, "pay\\\\..*"]',
          'replication.factor: 1',
          'kgw.rest.port: 0',
        ].join('\n'),
      ),
    );
    const ew = c.flows.find((f) => f.name === 'east->west')!;
    assert.ok(ew.enabled && ew.topics.matches('pay.x') && !ew.topics.matches('payx'));
    assert.equal(ew.replicationFactor, 1);
    assert.equal(c.rest.port, 0);
  });

  test('errors carry the YAML line', () => {
    assert.throws(
      () =>
        loadMirrorConfig(
          write(
            'bad.yaml',
            'clusters:\n  east: { bootstrap.servers: "h:1" }\n  west: { bootstrap.servers: "h:2" }\nflows:\n  east->west:\n    enabled: maybe\n',
          ),
        ),
      /bad\.yaml:6: east->west\.enabled: expected true or false, got "maybe"/,
    );
  });
});

describe('mirror config: YAML clusters in the shared connection shape', () => {
  const refusedWith = (name: string, text: string, expected: RegExp): void =>
    assert.throws(
      () => loadMirrorConfig(write(name, text)),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 1 && expected.test(err.message),
    );

  test('read by the shared schema: paths relative to the file, references resolved, own keys beside it', () => {
    write('east-password', 'from-a-file\n');
    process.env.KGW_T_MIRROR_WEST_PW = 'from-the-env';
    const c = loadMirrorConfig(
      write(
        'shape.yaml',
        [
          'clusters:',
          '  east:',
          '    bootstrap: [e1:9092, e2:9092]',
          '    sasl: { mechanism: SCRAM-SHA-512, username: mirror, passwordFile: east-password }',
          '    consumer.isolation.level: read_uncommitted',
          '  west:',
          '    bootstrap: w1:9092',
          '    clientId: dc2-mirror',
          '    requestTimeoutMs: 12000',
          '    sasl: { mechanism: PLAIN, username: mirror, password: "${env:KGW_T_MIRROR_WEST_PW}" }',
          '  north: { bootstrap.servers: "n1:9092", security.protocol: SASL_PLAINTEXT, sasl.mechanism: PLAIN,',
          '    sasl.jaas.config: \'org.apache.kafka.common.security.plain.PlainLoginModule required username="m" password="p";\' }',
          'flows:',
          '  east->west: { enabled: true }',
        ].join('\n'),
      ),
    );
    const east = c.clusters.get('east')!;
    const west = c.clusters.get('west')!;
    assert.deepEqual(east.connection, {
      bootstrap: ['e1:9092', 'e2:9092'],
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'mirror', passwordFile: join(dir, 'east-password') },
    });
    assert.deepEqual(east.bootstrapServers, ['e1:9092', 'e2:9092']);
    assert.equal(east.clientId, 'kgw-mirror-east', "the mirror's default client id");
    assert.equal(east.requestTimeoutMs, 30_000);
    assert.equal(east.isolationLevel, 'read_uncommitted');
    assert.deepEqual(west.connection.sasl, {
      mechanism: 'PLAIN',
      username: 'mirror',
      password: 'from-the-env',
    });
    assert.equal(west.clientId, 'dc2-mirror');
    assert.equal(west.requestTimeoutMs, 12_000);
    assert.equal(west.isolationLevel, 'read_committed');
    assert.deepEqual(c.clusters.get('north')!.connection.sasl, {
      mechanism: 'PLAIN',
      username: 'm',
      password: 'p',
    });
    assert.ok(c.flows.find((f) => f.name === 'east->west')!.enabled);
  });

  test('errors name file, line and clusters.<alias>.key.path', () => {
    refusedWith(
      'shape-unknown.yaml',
      'clusters:\n  east:\n    bootstrap: e:1\n    producer.acks: all\n',
      /shape-unknown\.yaml:3: clusters\.east: unknown key\(s\): producer\.acks/,
    );
    refusedWith(
      'shape-insecure.yaml',
      'clusters:\n  east:\n    bootstrap: e:1\n    tls:\n      insecureSkipVerify: true\n',
      /shape-insecure\.yaml:5: clusters\.east\.tls: unknown key\(s\): insecureSkipVerify/,
    );
    refusedWith(
      'shape-password.yaml',
      'clusters:\n  east:\n    bootstrap: e:1\n    sasl:\n      mechanism: PLAIN\n      username: m\n      passwordFile: no-such-file\n',
      /shape-password\.yaml:7: clusters\.east\.sasl\.passwordFile: cannot read .*no-such-file: ENOENT/,
    );
    refusedWith(
      'shape-both-passwords.yaml',
      'clusters:\n  east:\n    bootstrap: e:1\n    sasl: { mechanism: PLAIN, username: m, password: x, passwordFile: f }\n',
      /shape-both-passwords\.yaml:4: clusters\.east\.sasl\.passwordFile: give exactly one of password, passwordFile/,
    );
    refusedWith(
      'shape-isolation.yaml',
      'clusters:\n  east:\n    bootstrap: e:1\n    consumer.isolation.level: committed\n',
      /shape-isolation\.yaml:4: east\.consumer\.isolation\.level: expected one of: read_committed, read_uncommitted/,
    );
    refusedWith(
      'shape-reference.yaml',
      'clusters:\n  east:\n    bootstrap: e:1\n    sasl: { mechanism: PLAIN, username: m, password: "${env:KGW_T_MIRROR_UNSET}" }\n',
      /shape-reference\.yaml:4: clusters\.east\.sasl\.password: \$\{env:KGW_T_MIRROR_UNSET\}: environment variable KGW_T_MIRROR_UNSET is not set/,
    );
  });

  test('an alias YAML reads as a number is a name like any other', () => {
    const c = loadMirrorConfig(
      write('numeric.yaml', 'clusters:\n  1: { bootstrap: "h:1" }\n  2: { bootstrap: "h:2" }\n'),
    );
    assert.deepEqual(c.clusters.get('1')!.connection, { bootstrap: ['h:1'] });
    assert.deepEqual(c.clusters.get('2')!.connection, { bootstrap: ['h:2'] });
  });

  test('a key of neither form points at both', () => {
    refusedWith(
      'neither.yaml',
      'clusters:\n  east:\n    bootstrp: e:1\n',
      /neither\.yaml:3: east\.bootstrp: unknown or unsupported cluster setting "bootstrp" \(supported: bootstrap\.servers, .*; or, under clusters\.east, the YAML connection shape: bootstrap, clientId, tls, sasl, connectTimeoutMs, requestTimeoutMs\)/,
    );
  });

  test('one alias, one form: mixing is refused, naming the keys of each side', () => {
    refusedWith(
      'mixed-in-alias.yaml',
      'clusters:\n  west: { bootstrap: "w:1" }\n  east:\n    tls: true\n    bootstrap.servers: e:1\n    client.id: x\n',
      /mixed-in-alias\.yaml:3: clusters\.east: cluster "east" mixes the two connection forms: tls \(the YAML connection shape\) and bootstrap\.servers, client\.id \(MM2 client properties\); write its connection in one of them/,
    );
    // The MM2 key written at the top level, as mm2.properties would, beside a shaped cluster.
    refusedWith(
      'mixed-top-level.yaml',
      'clusters:\n  east: { bootstrap: "e:1" }\neast.security.protocol: SSL\n',
      /mixed-top-level\.yaml:3: east\.security\.protocol: cluster "east" mixes the two connection forms: clusters\.east \(the YAML connection shape\) and east\.security\.protocol \(MM2 client properties\)/,
    );
  });
});

describe('mirror config: exact translation and transactions', () => {
  const base = 'clusters = east, west\neast.bootstrap.servers = e:9092\nwest.bootstrap.servers = w:9092\n';

  test('consumer.isolation.level: read_committed unless set; read_uncommitted per cluster', () => {
    const c = loadMirrorConfig(
      write('iso.properties', `${base}west.consumer.isolation.level = read_uncommitted\n`),
    );
    assert.equal(c.clusters.get('east')!.isolationLevel, 'read_committed');
    assert.equal(c.clusters.get('west')!.isolationLevel, 'read_uncommitted');
    assert.throws(
      () =>
        loadMirrorConfig(write('iso-bad.properties', `${base}east.consumer.isolation.level = committed\n`)),
      (err: unknown) =>
        err instanceof ConfigError &&
        /iso-bad\.properties:4: east\.consumer\.isolation\.level: expected one of: read_committed, read_uncommitted; got "committed"/.test(
          err.message,
        ),
    );
  });

  test('kgw.checkpoint.max.sync.runs: default 1000000, per flow, at least 16', () => {
    const c = loadMirrorConfig(
      write('runs.properties', `${base}east->west.kgw.checkpoint.max.sync.runs = 5000\n`),
    );
    assert.equal(c.flows.find((f) => f.name === 'east->west')!.checkpointMaxSyncRuns, 5000);
    assert.equal(c.flows.find((f) => f.name === 'west->east')!.checkpointMaxSyncRuns, 1_000_000);
    assert.throws(
      () => loadMirrorConfig(write('runs-bad.properties', `${base}kgw.checkpoint.max.sync.runs = 3\n`)),
      (err: unknown) => err instanceof ConfigError && /must be at least 16/.test(err.message),
    );
  });
});
