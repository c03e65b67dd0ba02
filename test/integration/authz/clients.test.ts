/**
 * Real clients against Kafka's own StandardAuthorizer and against the gateway with the same ACLs
 * (test/harness/authz-reference.ts): Kafka's console producer and consumers (classic and KIP-848
 * groups), its kafka-topics and kafka-consumer-groups admin tools, and kcat, run as each principal
 * on both paths. Each path uses its own copy of the resources (.via-d/.via-g); what each principal
 * could and could not do — exit status, the authorization error a tool reports, the records read,
 * the topics and groups listed — must be the same on both paths.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { javaClientConfig, kcatSecurity } from '../../harness/gateway.js';
import { kafkaTool, kcat, type RunResult } from '../../harness/index.js';
import {
  GROUPS,
  PATHS,
  TOPICS,
  USERS,
  foldTags,
  startReference,
  withTag,
  type PathTag,
  type Reference,
  type User,
} from '../../harness/authz-reference.js';

let ref: Reference;
before(async () => {
  ref = await startReference({
    name: 'authz-clients',
    basePort: 11400,
    securityTopic: '__kgw_security_clients',
  });
});
after(async () => {
  await ref?.stop();
});

/** How each path is reached by a Java tool and by kcat, as `user`. */
function endpoints(
  user: User,
): Record<'direct' | 'gateway', { bootstrap: string; config: string; kcat: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'kgw-clients-'));
  const direct = join(dir, `${user}.properties`);
  writeFileSync(
    direct,
    [
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=PLAIN',
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${USERS[user]}";`,
    ].join('\n') + '\n',
  );
  const creds = { name: user, password: USERS[user] };
  return {
    direct: {
      bootstrap: ref.directAddress,
      config: direct,
      kcat: [
        '-X',
        'security.protocol=SASL_PLAINTEXT',
        '-X',
        'sasl.mechanisms=PLAIN',
        '-X',
        `sasl.username=${user}`,
        '-X',
        `sasl.password=${USERS[user]}`,
      ],
    },
    gateway: {
      bootstrap: ref.gw.bootstrap,
      config: javaClientConfig(ref.gw, creds, 'PLAIN'),
      kcat: kcatSecurity(ref.gw, creds, 'PLAIN'),
    },
  };
}

const AUTHZ_ERROR = /(Topic|Group|Cluster|TransactionalId)Authorization(Exception|_FAILED|Failed)/;

/**
 * What a run achieved, comparable across paths: status, whether it was refused for authorization
 * (which refusal a client reports first can be a race between its requests, e.g. the KIP-848
 * consumer's Metadata and heartbeat; the kind is logged, the codec corpus compares the codes), and
 * the data it read or listed, names folded, the other path's copies left out (they may not exist
 * yet when the direct path runs first).
 */
function outcome(r: RunResult, otherTag: PathTag, data: (stdout: string) => string[] = () => []) {
  const err = AUTHZ_ERROR.exec(`${r.stderr}\n${r.stdout}`)?.[1];
  return {
    status: r.timedOut ? 'timed out' : r.code === 0 ? 'ok' : 'failed',
    refused: err !== undefined,
    data: data(r.stdout)
      .filter((d) => !d.includes(otherTag))
      .map(foldTags)
      .sort(),
  };
}

/** Output lines, without the tools' warnings about deprecated options. */
const lines = (s: string): string[] =>
  s.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Option --'));

async function whatUserCanDo(user: User, path: 'direct' | 'gateway'): Promise<Record<string, unknown>> {
  const e = endpoints(user)[path];
  const tag: PathTag = PATHS[path];
  const other: PathTag = PATHS[path === 'direct' ? 'gateway' : 'direct'];
  const topic = withTag(TOPICS.ok, tag);
  const java = ['--bootstrap-server', e.bootstrap];
  const consume = (group: string, protocol: 'classic' | 'consumer') =>
    kafkaTool(
      'console-consumer',
      [
        ...java,
        '--consumer.config',
        e.config,
        '--topic',
        topic,
        '--group',
        group,
        '--from-beginning',
        '--max-messages',
        '1',
        '--timeout-ms',
        '15000',
        '--consumer-property',
        `group.protocol=${protocol}`,
      ],
      { timeoutMs: 60_000 },
    );
  const produced = await kafkaTool(
    'console-producer',
    [...java, '--producer.config', e.config, '--topic', topic, '--producer-property', 'acks=all'],
    { input: `record-of-${user}\n`, timeoutMs: 60_000 },
  );
  const classic = await consume(withTag(GROUPS.ok, tag), 'classic');
  const kip848 = await consume(withTag('g-848', tag), 'consumer');
  const topics = await kafkaTool('topics', [...java, '--command-config', e.config, '--list'], {
    timeoutMs: 60_000,
  });
  const groups = await kafkaTool('consumer-groups', [...java, '--command-config', e.config, '--list'], {
    timeoutMs: 60_000,
  });
  const metadata = await kcat(['-b', e.bootstrap, ...e.kcat, '-L'], { timeoutMs: 30_000 });
  const kcatTopics = (s: string) => [...s.matchAll(/topic "([^"]+)" with/g)].map((m) => m[1]!);
  return {
    'console-producer': outcome(produced, other),
    'console-consumer (classic group)': outcome(classic, other, lines),
    'console-consumer (KIP-848 group)': outcome(kip848, other, lines),
    'kafka-topics --list': outcome(topics, other, lines),
    'kafka-consumer-groups --list': outcome(groups, other, lines),
    'kcat -L': outcome(metadata, other, kcatTopics),
  };
}

describe('real clients: what each principal can do is the same through the gateway as on Kafka', () => {
  for (const user of Object.keys(USERS) as User[]) {
    it(`as ${user}`, { timeout: 600_000 }, async () => {
      const direct = await whatUserCanDo(user, 'direct');
      const viaGateway = await whatUserCanDo(user, 'gateway');
      console.log(`${user}: direct ${JSON.stringify(direct)}`);
      console.log(`${user}: via gateway ${JSON.stringify(viaGateway)}`);
      assert.deepEqual(viaGateway, direct);
      // The comparison means something only if the principals differ: alice reads what she wrote.
      const read = (direct['console-consumer (classic group)'] as { data: string[] }).data;
      if (user === 'alice') assert.deepEqual(read, ['record-of-alice']);
      else assert.deepEqual(read, []);
    });
  }
});
