/**
 * Differential conformance against Kafka's own StandardAuthorizer (test/harness/authz-reference.ts:
 * one broker with the authorizer, the same ACLs in the gateway). Requests built from the
 * generated message definitions, with every resource field set to an allowed, prefixed-allowed,
 * denied and non-existent name (and topic id), are sent as each principal to both paths, every
 * version both offer; the answers are compared field by field after normalising only what is
 * volatile (test/harness/answer-diff.ts). Any difference fails the test and is printed with API,
 * version, name variant and field path.
 *
 * Two corpora: the side-effect-free APIs (or made so: validateOnly) on shared resources, and every
 * other client API the gateway offers (produce, groups, offsets, transactions, topic and config
 * changes, share and streams groups, cluster operations) on per-path copies of the resources, so
 * that each path changes only its own copy and both evolve in lockstep.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApiKey, apiKeyInfo, type SchemaField } from '../../../protocol/index.js';
import { RULES } from '../../../gateway/authz/index.js';
import {
  GROUPS,
  PATHS,
  TOPICS,
  TXNS,
  USERS,
  VARIANTS,
  startReference,
  withTag,
  type PathTag,
  type Reference,
  type User,
  type Variant,
} from '../../harness/authz-reference.js';
import { differences, normaliser } from '../../harness/answer-diff.js';
import type { RawClient } from '../../harness/raw-sasl-plain.js';
import { buildRequest } from '../../harness/request-builder.js';
import { encodeRecordBatch } from '../../../protocol/records/batch.js';

const securityTopic = '__kgw_security_conformance';
let ref: Reference;

before(async () => {
  ref = await startReference({ name: 'authz-ref', basePort: 11100, securityTopic });
});
after(async () => {
  await ref?.stop();
});

/** Side-effect-free APIs (or made so: validateOnly), so both paths see the same broker state. */
const READ_ONLY_APIS = [
  ApiKey.Metadata,
  ApiKey.ListOffsets,
  ApiKey.OffsetFetch,
  ApiKey.FindCoordinator,
  ApiKey.DescribeGroups,
  ApiKey.ListGroups,
  ApiKey.CreateTopics,
  ApiKey.DescribeConfigs,
  ApiKey.OffsetForLeaderEpoch,
  ApiKey.DescribeLogDirs,
  ApiKey.ListPartitionReassignments,
  ApiKey.DescribeClientQuotas,
  ApiKey.DescribeQuorum,
  ApiKey.DescribeCluster,
  ApiKey.DescribeProducers,
  ApiKey.DescribeTransactions,
  ApiKey.ListTransactions,
  ApiKey.ConsumerGroupDescribe,
  ApiKey.DescribeTopicPartitions,
  ApiKey.ShareGroupDescribe,
  ApiKey.StreamsGroupDescribe,
  ApiKey.DescribeShareGroupOffsets,
  ApiKey.ListConfigResources,
  ApiKey.Fetch,
];

/**
 * Every other API the gateway offers, on per-path resources. Deletions come last so that the
 * resources still exist for the others; within an API, versions run in order on both paths.
 */
const MUTATING_APIS = [...RULES.keys()]
  .filter((k) => !READ_ONLY_APIS.includes(k as never))
  .sort((a, b) => deletionLast(a) - deletionLast(b) || a - b);
/** Deletions last, topics last of all (records of a deleted topic would race its removal). */
function deletionLast(apiKey: number): number {
  return [ApiKey.DeleteRecords, ApiKey.DeleteGroups, ApiKey.DeleteTopics].indexOf(apiKey as never) + 1;
}

/** One record (magic v2, non-transactional), for Produce. */
const ONE_RECORD = await encodeRecordBatch({
  baseOffset: 0n,
  partitionLeaderEpoch: -1,
  attributes: 0,
  baseTimestamp: 1_700_000_000_000n,
  maxTimestamp: 1_700_000_000_000n,
  producerId: -1n,
  producerEpoch: -1,
  baseSequence: -1,
  records: [
    { attributes: 0, timestampDelta: 0, offsetDelta: 0, key: null, value: Buffer.from('v'), headers: [] },
  ],
});

function valueFor(variant: Variant, ids: Map<string, string>, tag: PathTag) {
  const topic = withTag(TOPICS[variant], tag);
  return (path: string, f: SchemaField): unknown => {
    if (f.type === 'records') return ONE_RECORD;
    if (path === 'replicaId' || path === 'replicaState.replicaId') return -1;
    if (path === 'allowAutoTopicCreation') return false;
    if (path === 'validateOnly') return tag === '';
    if (path === 'acks') return -1;
    if (path === 'timeoutMs') return 5000;
    if (path.endsWith('resourceType')) return 2;
    if (path.endsWith('numPartitions') || path.endsWith('replicationFactor')) return 1;
    if (path.endsWith('responsePartitionLimit')) return 2000;
    if (path.endsWith('partitionMaxBytes') || path === 'maxBytes') return 1 << 20;
    if (f.entityType === 'topicName' || path.endsWith('resourceName')) return topic;
    if (f.type === 'uuid' && /topicId$/i.test(f.name)) return ids.get(topic) ?? ids.get('ghost');
    if (f.entityType === 'groupId' || path === 'key' || path === 'coordinatorKeys[]')
      return withTag(GROUPS[variant], tag);
    if (f.entityType === 'transactionalId') return withTag(TXNS[variant], tag);
    return undefined;
  };
}

interface CorpusResult {
  compared: number;
  diffs: string[];
}

async function runCorpus(apis: number[], tags: { direct: PathTag; gateway: PathTag }): Promise<CorpusResult> {
  const ids = new Map<string, string>([['ghost', randomUUID().replace(/-/g, '').slice(0, 22)]]);
  // Every topic's id as the super user sees it: a denied topic is named by its real id too.
  const su = await ref.superUser();
  const all = { ...buildRequest(ApiKey.Metadata, 12, () => undefined), topics: null };
  const md = (await su.call(ApiKey.Metadata, 12, all)) as { topics: { name: string; topicId: string }[] };
  su.close();
  for (const t of md.topics) ids.set(t.name, t.topicId);
  const normalise = normaliser({
    hiddenTopic: securityTopic,
    topicNames: new Map([...ids].map(([name, id]) => [id, name])),
  });
  const diffs: string[] = [];
  let compared = 0;
  for (const user of Object.keys(USERS) as User[]) {
    let direct: RawClient = await ref.connect('direct', user);
    let viaGw: RawClient = await ref.connect('gateway', user);
    const brokerVersions = (await direct.call(ApiKey.ApiVersions, 0, {})) as {
      apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
    };
    // KGW_CONFORMANCE_APIS=Name,Name narrows a run to some APIs while investigating a difference.
    const only = process.env.KGW_CONFORMANCE_APIS?.split(',');
    for (const apiKey of apis.filter((k) => !only || only.includes(apiKeyInfo(k)!.name))) {
      const b = brokerVersions.apiKeys.find((a) => a.apiKey === apiKey);
      const rule = RULES.get(apiKey)!;
      if (!b) continue;
      const name = apiKeyInfo(apiKey)!.name;
      for (
        let v = Math.max(b.minVersion, rule.versions[0]);
        v <= Math.min(b.maxVersion, rule.versions[1]);
        v++
      ) {
        for (const variant of VARIANTS) {
          if (process.env.KGW_CONFORMANCE_TRACE) console.log(`call ${user} ${name} v${v} ${variant}`);
          const d = await direct.call(
            apiKey,
            v,
            buildRequest(apiKey, v, valueFor(variant, ids, tags.direct)),
          );
          const g = await viaGw.call(
            apiKey,
            v,
            buildRequest(apiKey, v, valueFor(variant, ids, tags.gateway)),
          );
          compared++;
          const found = differences(normalise(d), normalise(g));
          for (const f of found) diffs.push(`${user} ${name} v${v} ${variant}${f}`);
          if (found.length > 0 && process.env.KGW_CONFORMANCE_DUMP?.split(',').includes(name))
            console.log(
              `dump ${name} ${user} v${v} ${variant}`,
              JSON.stringify([normalise(d), normalise(g)]),
            );
          // A closed connection is a difference (or Kafka's own answer): carry on with a new one.
          if (typeof d === 'string') direct = await ref.connect('direct', user);
          if (typeof g === 'string') viaGw = await ref.connect('gateway', user);
        }
      }
    }
    direct.close();
    viaGw.close();
  }
  return { compared, diffs };
}

function report(what: string, r: CorpusResult): void {
  console.log(`conformance (${what}): ${r.compared} request pairs compared, ${r.diffs.length} differences`);
  for (const d of r.diffs) console.log(`difference: ${d}`);
}

describe('authorization conformance with Kafka StandardAuthorizer', () => {
  it(
    'side-effect-free APIs, every version, as each principal, with each name variant: the same answer',
    { timeout: 600_000 },
    async () => {
      const r = await runCorpus(READ_ONLY_APIS, { direct: '', gateway: '' });
      report('side-effect-free', r);
      if (!process.env.KGW_CONFORMANCE_APIS) assert.ok(r.compared > 500, `only ${r.compared} compared`);
      assert.deepEqual(r.diffs, [], `${r.diffs.length} differences from Kafka's answers`);
    },
  );

  it(
    'every other API the gateway offers, on per-path copies of the resources: the same answer',
    { timeout: 600_000 },
    async () => {
      const r = await runCorpus(MUTATING_APIS, { direct: PATHS.direct, gateway: PATHS.gateway });
      report('mutating', r);
      if (process.env.KGW_CONFORMANCE_APIS) return;
      assert.ok(r.compared > 500, `only ${r.compared} request pairs compared`);
      assert.deepEqual(r.diffs, [], `${r.diffs.length} differences from Kafka's answers`);
    },
  );
});
