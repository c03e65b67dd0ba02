/**
 * `kgw users` and `kgw acls` through a kgw gateway (TLS + SCRAM, ACLs enforced, no ACL = no
 * access), configured by a context file whose admin password is a ${env:…} reference. Each change is
 * judged by real clients: a user added by kgw logs in with kafkajs (both SCRAM mechanisms) and with
 * Kafka's Java tools; kafka-configs.sh lists the same credentials; an ACL added by kgw lets a
 * consumer read and still refuses what it does not allow; `kgw acls list` prints what
 * kafka-acls.sh --list prints; removed users and ACLs stop working.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { clusterBootstrap, kafkaTool, uniqueName } from '../../harness/index.js';
import { ADMIN, javaClientConfig, startTestGateway, type TestGateway } from '../../harness/gateway.js';
import { expectExit, jsonOf, kgw } from './helpers.js';

const kgwBin = fileURLToPath(new URL('../../../cli/kgw.js', import.meta.url));
let gw: TestGateway;
let context: string;
const dir = mkdtempSync(join(tmpdir(), 'kgw-cli-admin-'));
const env = { KGW_T_ADMIN_PW: ADMIN.password, CAROL_PW: 'carol-secret-1' };

before(async () => {
  gw = await startTestGateway({
    upstream: clusterBootstrap('east'),
    allowEveryoneIfNoAclFound: false,
    securityTopic: `__kgw_security_cli_${process.pid}`,
  });
  context = join(dir, 'kgw.yaml');
  writeFileSync(
    context,
    [
      'clusters:',
      '  - name: gw',
      `    bootstrap: ${gw.bootstrap}`,
      `    tls: { ca: ${gw.pki!.caCert} }`,
      `    sasl: { mechanism: SCRAM-SHA-512, username: ${ADMIN.name}, password: "\${env:KGW_T_ADMIN_PW}" }`,
      '',
    ].join('\n'),
  );
});
after(async () => {
  await gw?.close();
});

const run = (args: string[], opts: { input?: string; env?: Record<string, string> } = {}) =>
  kgw([...args, '--context', context], {
    env: { ...env, ...opts.env },
    ...(opts.input ? { input: opts.input } : {}),
  });

function client(
  user: string,
  password: string,
  mechanism: 'scram-sha-512' | 'scram-sha-256' = 'scram-sha-512',
  retries = 0,
) {
  return new Kafka({
    clientId: `cli-admin-${user}`,
    brokers: [gw.bootstrap],
    ssl: { ca: [readFileSync(gw.pki!.caCert, 'utf8')] },
    sasl: { mechanism, username: user, password } as never,
    logLevel: logLevel.NOTHING,
    // Logins are judged at once; a consumer on a fresh cluster waits for __consumer_offsets.
    retry: { retries },
  });
}

async function logsIn(
  user: string,
  password: string,
  mechanism?: 'scram-sha-512' | 'scram-sha-256',
): Promise<boolean> {
  const admin = client(user, password, mechanism).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch (e) {
    if (/SASL|[Aa]uthentication/.test(String(e))) return false;
    throw e;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

describe('kgw users', () => {
  test('add: the user logs in with both SCRAM mechanisms (kafkajs) and with a Java client', async () => {
    const r = expectExit(await run(['users', 'add', 'carol', '--password-env', 'CAROL_PW']), 0, 'users add');
    assert.match(
      r.stdout,
      /Added SCRAM credentials for user carol: SCRAM-SHA-256 \(iterations=8192\), SCRAM-SHA-512 \(iterations=8192\)/,
    );
    assert.equal(await logsIn('carol', env.CAROL_PW, 'scram-sha-512'), true, 'SCRAM-SHA-512');
    assert.equal(await logsIn('carol', env.CAROL_PW, 'scram-sha-256'), true, 'SCRAM-SHA-256');
    assert.equal(await logsIn('carol', 'wrong-password'), false, 'a wrong password is refused');
    const java = await kafkaTool(
      'topics',
      [
        '--bootstrap-server',
        gw.bootstrap,
        '--command-config',
        javaClientConfig(gw, { name: 'carol', password: env.CAROL_PW }),
        '--list',
      ],
      {
        timeoutMs: 90_000,
      },
    );
    assert.equal(java.code, 0, `a Java client logs in as carol: ${java.stderr}`);
  });

  test('list: the same credentials kafka-configs.sh --describe --entity-type users shows', async () => {
    expectExit(
      await run(
        ['users', 'add', 'dan', '--password-stdin', '--mechanism', 'SCRAM-SHA-256', '--iterations', '4096'],
        { input: 'dan-pw\n' },
      ),
      0,
      'users add from stdin',
    );
    assert.equal(
      await logsIn('dan', 'dan-pw', 'scram-sha-256'),
      true,
      'the password came from stdin, without its newline',
    );
    const mine = jsonOf<{ users: { user: string; mechanism: string; iterations: number }[] }>(
      expectExit(await run(['users', 'list', '--json']), 0, 'users list'),
    );
    // Kafka's tool describes SCRAM credentials per named user (without a name it lists quota entities).
    const described = await Promise.all(
      ['carol', 'dan'].map((name) =>
        kafkaTool(
          'configs',
          [
            '--bootstrap-server',
            gw.bootstrap,
            '--command-config',
            javaClientConfig(gw, ADMIN),
            '--describe',
            '--entity-type',
            'users',
            '--entity-name',
            name,
          ],
          { timeoutMs: 90_000 },
        ),
      ),
    );
    // SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=8192
    const listed: string[] = [];
    for (const theirs of described) {
      assert.equal(theirs.code, 0, theirs.stderr);
      for (const m of theirs.stdout.matchAll(/user-principal '([^']+)' are (.*)$/gm))
        for (const c of m[2]!.split(', ')) listed.push(`${m[1]} ${c.replace('=iterations=', ' ')}`);
    }
    assert.deepEqual(
      mine.users
        .filter((u) => u.user === 'carol' || u.user === 'dan')
        .map((u) => `${u.user} ${u.mechanism} ${u.iterations}`)
        .sort(),
      listed.sort(),
      `kafka-configs printed:\n${described.map((d) => d.stdout).join('\n')}`,
    );
    assert.ok(
      listed.includes('dan SCRAM-SHA-256 4096') && listed.includes('carol SCRAM-SHA-512 8192'),
      listed.join('; '),
    );
  });

  test('at a terminal the password is asked twice without echo; tables get colour only there', async () => {
    // `script` gives kgw a pseudo-terminal, as an operator's shell would; --echo never stops script
    // itself from echoing what it forwards, so any echo seen would be the terminal's, i.e. kgw's.
    const command = [process.execPath, kgwBin, 'users', 'add', 'frank', '--context', context]
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('script', ['-qfec', command, '--echo', 'never', '/dev/null'], {
      env: { ...process.env, ...env, NO_COLOR: undefined },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let seen = '';
    const waitFor = (text: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${text}" in: ${seen}`)), 30_000);
        const check = (): void => {
          if (seen.includes(text)) {
            clearTimeout(timer);
            child.stdout.off('data', check);
            resolve();
          }
        };
        child.stdout.on('data', check);
        check();
      });
    child.stdout.on('data', (c: Buffer) => (seen += c.toString()));
    const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? 1)));
    await waitFor('Password for frank: ');
    child.stdin.write('frank-pw\r');
    await waitFor('Again: ');
    child.stdin.write('frank-pw\r');
    assert.equal(await exited, 0, seen);
    assert.match(seen, /Added SCRAM credentials for user frank/);
    assert.ok(!seen.includes('frank-pw'), `the password was not echoed: ${JSON.stringify(seen)}`);
    assert.equal(await logsIn('frank', 'frank-pw'), true);
    const colour = spawn(
      'script',
      ['-qfec', `'${process.execPath}' '${kgwBin}' users list --context '${context}'`, '/dev/null'],
      {
        env: { ...process.env, ...env, NO_COLOR: undefined },
      },
    );
    let listed = '';
    colour.stdout.on('data', (c: Buffer) => (listed += c.toString()));
    await new Promise((resolve) => colour.once('close', resolve));
    assert.ok(listed.includes('\x1b[1mUSER'), 'a bold header on a terminal');
  });

  test('passwords never come from a flag; too few iterations and no password source are usage errors', async () => {
    const few = expectExit(
      await run(['users', 'add', 'eve', '--password-env', 'CAROL_PW', '--iterations', '1000']),
      2,
      'too few iterations',
    );
    assert.match(few.stderr, /--iterations must be 4096-16384/);
    const none = expectExit(await run(['users', 'add', 'eve']), 2, 'no password source, not at a terminal');
    assert.match(none.stderr, /--password-file <file>, --password-env <variable> or --password-stdin/);
    expectExit(await run(['users', 'add', 'eve', '--password', 'x']), 2, 'there is no --password flag');
  });

  test("remove: the user can no longer log in; removing a missing user fails with Kafka's error", async () => {
    expectExit(await run(['users', 'remove', 'dan']), 0, 'users remove');
    assert.equal(await logsIn('dan', 'dan-pw', 'scram-sha-256'), false);
    const missing = expectExit(await run(['users', 'remove', 'nobody-here']), 1, 'remove a missing user');
    assert.match(missing.stderr, /RESOURCE_NOT_FOUND/);
  });
});

describe('kgw acls', () => {
  const topic = uniqueName('cli-acl');
  const other = uniqueName('cli-acl-other');
  const group = uniqueName('cli-acl-group');

  before(async () => {
    const admin = client(ADMIN.name, ADMIN.password).admin();
    const producer = client(ADMIN.name, ADMIN.password).producer();
    await admin.connect();
    await producer.connect();
    await admin.createTopics({ topics: [{ topic }, { topic: other }], waitForLeaders: true });
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `v${i}` })) });
    await producer.disconnect();
    await admin.disconnect();
  });

  async function carolReads(t: string): Promise<string[]> {
    const consumer = client('carol', env.CAROL_PW, 'scram-sha-512', 8).consumer({ groupId: group });
    const seen: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: t, fromBeginning: true });
      // kafkajs restarts itself after retriable crashes (a group coordinator still loading on a
      // fresh cluster); only a crash it gives up on (e.g. an authorization error) ends the read.
      const failed = new Promise<never>((_, reject) =>
        consumer.on(consumer.events.CRASH, (e) => {
          if (!e.payload.restart) reject(e.payload.error);
        }),
      );
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      const deadline = Date.now() + 30_000;
      await Promise.race([
        failed,
        (async () => {
          while (seen.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        })(),
      ]);
      return seen;
    } finally {
      await consumer.disconnect();
    }
  }

  async function carolDescribes(t: string): Promise<boolean> {
    const admin = client('carol', env.CAROL_PW).admin();
    await admin.connect();
    try {
      await admin.fetchTopicOffsets(t);
      return true;
    } catch (e) {
      if (/authoriz/i.test(String(e))) return false;
      throw e;
    } finally {
      await admin.disconnect();
    }
  }

  test('add with --consumer: carol reads the topic with her group; another topic stays refused', async () => {
    const r = expectExit(
      await run([
        'acls',
        'add',
        '--allow-principal',
        'carol',
        '--consumer',
        '--topic',
        topic,
        '--group',
        group,
      ]),
      0,
      'acls add',
    );
    assert.match(
      r.stdout,
      /Adding ACLs for resource `ResourcePattern\(resourceType=TOPIC, name=[^,]+, patternType=LITERAL\)`/,
    );
    assert.deepEqual((await carolReads(topic)).sort(), ['v0', 'v1', 'v2', 'v3', 'v4']);
    assert.equal(await carolDescribes(other), false, 'no ACL on the other topic: refused');
    const producer = client('carol', env.CAROL_PW).producer();
    await producer.connect();
    await assert.rejects(
      producer.send({ topic, messages: [{ value: 'x' }] }),
      /authoriz/i,
      'READ does not allow WRITE',
    );
    await producer.disconnect();
  });

  test('list prints what kafka-acls.sh --list prints for the same resources', async () => {
    expectExit(
      await run([
        'acls',
        'add',
        '--deny-principal',
        'User:mallory',
        '--deny-host',
        '10.0.0.9',
        '--operation',
        'Write',
        '--topic',
        topic,
      ]),
      0,
      'acls add deny',
    );
    const mine = expectExit(await run(['acls', 'list', '--topic', topic]), 0, 'acls list');
    const theirs = await kafkaTool(
      'acls',
      [
        '--bootstrap-server',
        gw.bootstrap,
        '--command-config',
        javaClientConfig(gw, ADMIN),
        '--list',
        '--topic',
        topic,
      ],
      { timeoutMs: 90_000 },
    );
    assert.equal(theirs.code, 0, theirs.stderr);
    const lines = (s: string) =>
      s
        .split('\n')
        .map((l) => l.trimEnd())
        .filter((l) => l !== '')
        .sort();
    assert.deepEqual(lines(mine.stdout), lines(theirs.stdout));
    const json = jsonOf<{
      resources: { name: string; acls: { principal: string; operation: string; permissionType: string }[] }[];
    }>(await run(['acls', 'list', '--principal', 'mallory', '--json']));
    assert.deepEqual(
      json.resources.flatMap((r) =>
        r.acls.map((a) => `${r.name} ${a.principal} ${a.operation} ${a.permissionType}`),
      ),
      [`${topic} User:mallory WRITE DENY`],
    );
  });

  test("--producer --consumer add exactly what kafka-acls.sh's --producer --consumer add", async () => {
    const theirs = await kafkaTool(
      'acls',
      [
        '--bootstrap-server',
        gw.bootstrap,
        '--command-config',
        javaClientConfig(gw, ADMIN),
        '--add',
        '--allow-principal',
        'User:pc-kafka',
        '--producer',
        '--consumer',
        '--topic',
        `${topic}-pc`,
        '--group',
        `${group}-pc`,
      ],
      { timeoutMs: 90_000 },
    );
    assert.equal(theirs.code, 0, theirs.stderr);
    expectExit(
      await run([
        'acls',
        'add',
        '--allow-principal',
        'pc-kgw',
        '--producer',
        '--consumer',
        '--topic',
        `${topic}-pc`,
        '--group',
        `${group}-pc`,
      ]),
      0,
      'kgw acls add --producer --consumer',
    );
    const listed = async (principal: string): Promise<string[]> =>
      jsonOf<{
        resources: {
          resourceType: string;
          name: string;
          acls: { principal: string; operation: string; permissionType: string }[];
        }[];
      }>(await run(['acls', 'list', '--principal', principal, '--json']))
        .resources.flatMap((r) =>
          r.acls.map((a) => `${r.resourceType}:${r.name} ${a.operation} ${a.permissionType}`),
        )
        .sort();
    const kafka = await listed('User:pc-kafka');
    assert.ok(kafka.length >= 4, kafka.join('; '));
    assert.deepEqual(await listed('pc-kgw'), kafka);
  });

  test('remove needs --force off a terminal; then the ACLs are gone and carol is refused', async () => {
    expectExit(await run(['acls', 'remove', '--topic', topic]), 2, 'remove without --force in a pipe');
    assert.equal(await carolDescribes(topic), true);
    const r = expectExit(await run(['acls', 'remove', '--topic', topic, '--force']), 0, 'acls remove');
    assert.match(r.stdout, /Removed ACLs for resource/);
    assert.equal(await carolDescribes(topic), false, 'no ACL left: refused');
    assert.match((await run(['acls', 'list', '--topic', topic])).stdout, /No ACLs match/);
  });

  test('operations a resource does not support, and a missing principal, are usage errors', async () => {
    const r = expectExit(
      await run(['acls', 'add', '--allow-principal', 'carol', '--operation', 'Read', '--cluster-resource']),
      2,
      'READ on the cluster',
    );
    assert.match(r.stderr, /CLUSTER resources support only/);
    expectExit(await run(['acls', 'add', '--operation', 'Read', '--topic', topic]), 2, 'no principal');
  });
});
