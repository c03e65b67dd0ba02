/**
 * `kgw lag` against a real cluster, judged by Kafka's own tool: for the same groups, every row
 * kafka-consumer-groups.sh --describe prints with a committed offset (GROUP, TOPIC, PARTITION,
 * CURRENT-OFFSET, LOG-END-OFFSET, LAG) is a row of `kgw lag`, and nothing else is. Groups committed
 * by the admin API and a live kafkajs consumer group (paused with lag). Also: reading a running
 * monitor (--monitor), honest time-lag kinds, no escape codes in a pipe, and exit statuses.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { clusterBootstrap, kafkaTool, uniqueName } from '../../harness/index.js';
import { ADMIN, startTestGateway } from '../../harness/gateway.js';
import { monitorConfigSchema } from '../../../monitor/config.js';
import { Monitor } from '../../../monitor/monitor.js';
import { expectExit, jsonOf, kgw } from './helpers.js';

interface LagJson {
  clusters: {
    cluster: string;
    error?: string;
    method: { kind: string };
    groups: {
      group: string;
      status: string | null;
      members: number;
      partitions: {
        topic: string;
        partition: number;
        currentOffset: number;
        logEndOffset: number;
        lag: number;
        lagSeconds: number | null;
        lagSecondsKind: string;
        status: string | null;
      }[];
    }[];
  }[];
}

const EAST = (): string => clusterBootstrap('east');
const prefix = uniqueName('cli-lag');
const kafka = new Kafka({ clientId: 'cli-lag-test', brokers: EAST().split(','), logLevel: logLevel.NOTHING });
const topics = [`${prefix}-a`, `${prefix}-b`];
const groups = [`${prefix}-g1`, `${prefix}-g2`, `${prefix}-live`];
let consumer: Consumer;

/** `kgw lag` rows as Kafka's tool prints them: "group topic partition current log-end lag". */
function kgwRows(j: LagJson): string[] {
  return j.clusters
    .flatMap((c) =>
      c.groups.flatMap((g) =>
        g.partitions.map((p) =>
          [g.group, p.topic, p.partition, p.currentOffset, p.logEndOffset, p.lag].join(' '),
        ),
      ),
    )
    .sort();
}

/** kafka-consumer-groups.sh --describe rows that carry a committed offset, in the same form. */
async function kafkaRows(bootstrap = EAST(), commandConfig?: string): Promise<string[]> {
  const security = commandConfig ? ['--command-config', commandConfig] : [];
  const r = await kafkaTool(
    'consumer-groups',
    ['--bootstrap-server', bootstrap, ...security, '--describe', ...groups.flatMap((g) => ['--group', g])],
    {
      timeoutMs: 90_000,
    },
  );
  assert.equal(r.code, 0, r.stderr);
  const rows: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || f[0] === 'GROUP' || !groups.includes(f[0]!) || f[3] === '-') continue;
    rows.push(f.slice(0, 6).join(' '));
  }
  return rows.sort();
}

before(async () => {
  const admin = kafka.admin();
  const producer = kafka.producer();
  await admin.connect();
  await producer.connect();
  try {
    await admin.createTopics({
      topics: [
        { topic: topics[0]!, numPartitions: 3 },
        { topic: topics[1]!, numPartitions: 2 },
      ],
      waitForLeaders: true,
    });
    for (const [t, n] of [
      [topics[0]!, 3],
      [topics[1]!, 2],
    ] as const)
      for (let p = 0; p < n; p++)
        await producer.send({
          topic: t,
          messages: Array.from({ length: 4 + 9 * p }, (_, i) => ({ partition: p, value: `${t}-${p}-${i}` })),
        });
    // g1: every partition of a, one committed at the end; g2: one partition of a (others never
    // committed), and b.
    await admin.setOffsets({
      groupId: groups[0]!,
      topic: topics[0]!,
      partitions: [0, 1, 2].map((p) => ({ partition: p, offset: String([1, 13, 0][p]) })),
    });
    await admin.setOffsets({
      groupId: groups[1]!,
      topic: topics[0]!,
      partitions: [{ partition: 2, offset: '7' }],
    });
    await admin.setOffsets({
      groupId: groups[1]!,
      topic: topics[1]!,
      partitions: [0, 1].map((p) => ({ partition: p, offset: '2' })),
    });
    // A live group: consumes b to its end, commits, then pauses while more records arrive.
    consumer = kafka.consumer({ groupId: groups[2]! });
    await consumer.connect();
    await consumer.subscribe({ topic: topics[1]!, fromBeginning: true });
    let seen = 0;
    await consumer.run({ autoCommitInterval: 100, eachMessage: async () => void seen++ });
    const deadline = Date.now() + 60_000;
    while (seen < 4 + 13 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(seen, 17, 'the live consumer read b');
    await new Promise((r) => setTimeout(r, 500)); // its last auto-commit
    consumer.pause([{ topic: topics[1]! }]);
    await producer.send({
      topic: topics[1]!,
      messages: Array.from({ length: 6 }, (_, i) => ({ partition: i % 2, value: `late-${i}` })),
    });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
});

after(async () => {
  await consumer?.disconnect();
});

describe('kgw lag', () => {
  test("equals kafka-consumer-groups.sh --describe's LAG (and offsets) for the same groups", async () => {
    const [mine, theirs] = await Promise.all([
      kgw(['lag', '--bootstrap-server', EAST(), '--group', `^${prefix}-`, '--samples', '1', '--json']),
      kafkaRows(),
    ]);
    expectExit(mine, 0, 'kgw lag');
    const rows = kgwRows(jsonOf<LagJson>(mine));
    assert.equal(theirs.length, 8, `Kafka's tool lists the committed partitions: ${theirs.join('; ')}`);
    assert.deepEqual(rows, theirs);
    const live = jsonOf<LagJson>(mine).clusters[0]!.groups.find((g) => g.group === groups[2]);
    assert.equal(live?.members, 1, 'the live group has its member');
    assert.equal(
      live?.partitions.reduce((a, p) => a + p.lag, 0),
      6,
      'the paused consumer lags by the records produced after it paused',
    );
  });

  test("--command-config: the same Kafka client properties file serves Kafka's tool and kgw lag through a TLS + SCRAM gateway", async () => {
    const gw = await startTestGateway({
      upstream: EAST(),
      securityTopic: `__kgw_security_lag_${process.pid}`,
    });
    try {
      const props = join(gw.dir, 'client.properties');
      writeFileSync(
        props,
        [
          'security.protocol=SASL_SSL',
          'sasl.mechanism=SCRAM-SHA-512',
          `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${ADMIN.name}" password="${ADMIN.password}";`,
          'ssl.truststore.type=PEM',
          `ssl.truststore.location=${gw.pki!.caCert}`,
          'client.id=lag-check',
          '',
        ].join('\n'),
      );
      const [mine, theirs] = await Promise.all([
        kgw([
          'lag',
          '--bootstrap-server',
          gw.bootstrap,
          '--command-config',
          props,
          '--group',
          `^${prefix}-`,
          '--samples',
          '1',
          '--json',
        ]),
        kafkaRows(gw.bootstrap, props),
      ]);
      expectExit(mine, 0, 'kgw lag through the gateway');
      assert.equal(theirs.length, 8);
      assert.deepEqual(kgwRows(jsonOf<LagJson>(mine)), theirs);
      // The same file with a wrong password: Kafka's tool and kgw both refuse, kgw says what to check.
      writeFileSync(
        props,
        readFileSync(props, 'utf8').replace(`password="${ADMIN.password}"`, 'password="wrong"'),
      );
      const refused = expectExit(
        await kgw(['lag', '--bootstrap-server', gw.bootstrap, '--command-config', props, '--samples', '1']),
        1,
        'wrong password',
      );
      assert.match(refused.stderr, /[Aa]uthentication.*Check the user and password/);
    } finally {
      await gw.close();
    }
  });

  test('a table in a pipe: no escape codes; time lag is a lower bound when no record arrived between samples', async () => {
    const r = expectExit(
      await kgw(['lag', '--bootstrap-server', EAST(), '--group', `^${groups[0]}$`, '--interval', '1s']),
      0,
      'kgw lag',
    );
    assert.ok(!r.stdout.includes('\x1b'), 'no colour codes when stdout is not a terminal');
    assert.match(
      r.stdout,
      /^CLUSTER\s+GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+TIME-LAG\s+STATUS$/m,
    );
    assert.match(r.stdout, />=\d/, 'a lower bound is marked');
    assert.match(r.stdout, /TIME-LAG estimated from 2 samples/);
    const j = jsonOf<LagJson>(
      await kgw([
        'lag',
        '--bootstrap-server',
        EAST(),
        '--group',
        `^${groups[0]}$`,
        '--interval',
        '1s',
        '--json',
      ]),
    );
    for (const p of j.clusters[0]!.groups[0]!.partitions) {
      if (p.lag === 0) assert.equal(p.lagSecondsKind, 'zero');
      else {
        assert.equal(
          p.lagSecondsKind,
          'lower-bound',
          'the log end did not move: only a lower bound is known',
        );
        assert.ok(p.lagSeconds! >= 1, `at least the time between samples: ${p.lagSeconds}`);
      }
    }
  });

  test("--monitor reads a running monitor's lag and Burrow status", async () => {
    const monitor = new Monitor(
      monitorConfigSchema.parse({
        clusters: [{ name: 'east', bootstrap: EAST() }],
        listen: { host: '127.0.0.1', port: 0 },
        collection: { intervalSeconds: 1, deadlineSeconds: 10 },
        groups: { include: [`^${prefix}-g`] },
      }),
    );
    const { port } = await monitor.start();
    try {
      const url = `http://127.0.0.1:${port}`;
      let j: LagJson | undefined;
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const r = await kgw(['lag', '--monitor', url, '--json']);
        j = r.code === 0 ? jsonOf<LagJson>(r) : undefined;
        if (j && j.clusters[0]!.groups.length === 2 && j.clusters[0]!.groups.every((g) => g.status)) break;
        await new Promise((res) => setTimeout(res, 1000));
      }
      assert.ok(j, 'kgw lag --monitor answered');
      assert.equal(j.clusters[0]!.method.kind, 'monitor');
      const direct = jsonOf<LagJson>(
        await kgw([
          'lag',
          '--bootstrap-server',
          EAST(),
          '--group',
          `^${prefix}-g`,
          '--samples',
          '1',
          '--json',
        ]),
      );
      assert.deepEqual(
        kgwRows(j),
        kgwRows(direct),
        'the same offsets and lag as reading the cluster directly',
      );
      assert.ok(
        j.clusters[0]!.groups.every((g) => ['OK', 'WARN', 'ERR'].includes(g.status!)),
        'Burrow group status',
      );
      // The same monitor's configuration file as --config: its clusters and its group filter.
      const file = join(mkdtempSync(join(tmpdir(), 'kgw-cli-lag-')), 'monitor.yaml');
      writeFileSync(
        file,
        `clusters:\n  - { name: east, bootstrap: "${EAST()}" }\ngroups: { include: ["^${prefix}-g"] }\n`,
      );
      const fromConfig = jsonOf<LagJson>(
        expectExit(await kgw(['lag', '--config', file, '--samples', '1', '--json']), 0, 'kgw lag --config'),
      );
      assert.deepEqual(
        kgwRows(fromConfig),
        kgwRows(direct),
        "--config monitor.yaml: the monitor's clusters and group filter",
      );
    } finally {
      await monitor.stop();
    }
  });

  test('exit status 2 for usage errors, 1 when the cluster cannot be reached, with what to do', async () => {
    const usage = await kgw(['lag', '--bootstrap-server', EAST(), '--group', '(']);
    expectExit(usage, 2, 'a bad regular expression');
    assert.match(usage.stderr, /--group: not a regular expression/);
    expectExit(await kgw(['lag', '--no-such-option']), 2, 'an unknown option');
    const none = expectExit(await kgw(['lag'], { env: { KGW_CONTEXT: '' } }), 2, 'no cluster at all');
    assert.match(none.stderr, /no cluster given: use --bootstrap-server/);
    const down = expectExit(
      await kgw(['lag', '--bootstrap-server', '127.0.0.1:1', '--samples', '1']),
      1,
      'nothing listening',
    );
    assert.match(down.stderr, /cannot connect to 127\.0\.0\.1:1 .*Check the address/);
  });
});
