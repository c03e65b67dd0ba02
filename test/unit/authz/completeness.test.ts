/**
 * The authorization table is complete, by construction from Kafka's own message definitions:
 * every forwarded client API has a rule for exactly the versions the codec speaks, every request
 * field that can name something is classified (gateway/authz/request-fields.ts), every field
 * classified as a resource really is authorized (a denied name changes the decision), and a
 * request of every API and version with denied names is answered with a response that encodes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApiKey,
  RequestFrame,
  ResponseFrame,
  ZERO_UUID,
  apiKeyTable,
  encodeRequestFrame,
  type RequestApiKey,
  type SchemaField,
} from '../../../protocol/index.js';
import { AclOperation as Op, PatternType, ResourceType as RT } from '../../../security/acl/index.js';
import { RULES } from '../../../gateway/authz/index.js';
import { REQUEST_FIELDS } from '../../../gateway/authz/request-fields.js';
import { LOCALLY_ANSWERED, isClientApi } from '../../../gateway/filters/api-versions.js';
import type { FilterDecision } from '../../../gateway/session/client-session.js';
import { buildRequest, namingFields } from '../../harness/request-builder.js';
import { acl, harness, tid } from './helpers.js';

const forwarded = apiKeyTable.filter(
  (i) => !i.removed && isClientApi(i.apiKey) && !LOCALLY_ANSWERED.has(i.apiKey),
);
const versionsOf = (apiKey: number): number[] => {
  const [min, max] = RULES.get(apiKey)!.versions;
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
};
const classified = (apiKey: number): Set<string> => {
  const c = REQUEST_FIELDS.get(apiKey) ?? {};
  return new Set([
    ...(c.resources ?? []),
    ...(c.clusterScoped ?? []),
    ...(c.selectors ?? []),
    ...(c.other ?? []),
  ]);
};

describe('authz completeness: derived from the generated message definitions', () => {
  it('every forwarded client API has a rule and a field classification', () => {
    assert.deepEqual(
      forwarded.filter((i) => !RULES.has(i.apiKey) || !REQUEST_FIELDS.has(i.apiKey)).map((i) => i.name),
      [],
    );
  });

  it("every rule covers exactly the codec's versions (an upgrade is refused until reviewed)", () => {
    const drift = forwarded
      .filter((i) => {
        const r = RULES.get(i.apiKey)!.versions;
        return r[0] !== i.minVersion || r[1] !== i.maxVersion;
      })
      .map(
        (i) =>
          `${i.name}: rule ${RULES.get(i.apiKey)!.versions.join('-')}, codec ${i.minVersion}-${i.maxVersion}`,
      );
    assert.deepEqual(drift, []);
  });

  it('every request field that can name something is classified, and no classification is stale', () => {
    const unclassified: string[] = [];
    const stale: string[] = [];
    for (const info of forwarded) {
      const known = classified(info.apiKey);
      const seen = new Set<string>();
      for (const v of versionsOf(info.apiKey)) {
        for (const { path } of namingFields(info.apiKey, v)) {
          seen.add(path);
          if (!known.has(path)) unclassified.push(`${info.name} v${v} ${path}`);
        }
      }
      for (const p of known) if (!seen.has(p)) stale.push(`${info.name} ${p}`);
    }
    assert.deepEqual(unclassified, []);
    assert.deepEqual(stale, []);
  });
});

/** Values that alice may use (prefixed ALLOW ALL), and the one denied value per entity kind. */
const ALLOWED = { topic: 'ok-topic', group: 'ok-group', txn: 'ok-txn' };
const DENIED = { topic: 'no-topic', group: 'no-group', txn: 'no-txn' };
type Kind = keyof typeof ALLOWED;

function kindOf(apiKey: number, path: string, f: SchemaField): Kind | undefined {
  if (f.entityType === 'topicName' || (f.type === 'uuid' && /topicId$/i.test(f.name))) return 'topic';
  if (f.entityType === 'groupId') return 'group';
  if (f.entityType === 'transactionalId') return 'txn';
  if (path.endsWith('resourceName')) return 'topic'; // config resources built as TOPIC (type 2)
  if (path === 'key' || path === 'coordinatorKeys[]') return 'group'; // FindCoordinator key type 0
  void apiKey;
  return undefined;
}

/** A v2 batch header with the transactional attribute: all the authorization reads of records. */
function transactionalBatch(): Buffer {
  const b = Buffer.alloc(61);
  b.writeInt32BE(49, 8);
  b.writeInt8(2, 16);
  b.writeInt16BE(0x10, 21);
  return b;
}

function requestWith(apiKey: number, version: number, deniedPath: string | undefined): RequestFrame {
  // Metadata and DeleteTopics use a topic's id only when its name is null (as Kafka does).
  const byIdSibling = deniedPath?.endsWith('topicId') ? deniedPath.replace(/topicId$/, 'name') : undefined;
  // And Metadata (KafkaApis.handleTopicMetadataRequest) ignores every name once any id is set.
  const byNameSibling =
    apiKey === ApiKey.Metadata && deniedPath?.endsWith('].name')
      ? deniedPath.replace(/name$/, 'topicId')
      : undefined;
  const body = buildRequest(apiKey, version, (path, f) => {
    if (path === byIdSibling && f.nullable && version >= f.nullable[0]) return null;
    if (path === byNameSibling) return ZERO_UUID;
    if (path.endsWith('resourceType')) return 2;
    if (path === 'acks') return -1; // acks=0 denials close the connection, as Kafka's do
    // A well-formed request otherwise, so that Kafka's validation before authorization (share
    // member ids, SyncGroup's protocol) does not answer first.
    if (path === 'memberId') return tid('member');
    if (path === 'protocolType') return 'consumer';
    if (path === 'protocolName') return 'range';
    // Produce authorizes the transactional id only for transactional batches, as Kafka does.
    if (f.type === 'records') return transactionalBatch();
    const kind = kindOf(apiKey, path, f);
    if (!kind) return undefined;
    const name = path === deniedPath ? DENIED[kind] : ALLOWED[kind];
    return f.type === 'uuid' ? tid(name) : name;
  });
  const buf = encodeRequestFrame(
    { apiKey: apiKey as RequestApiKey, apiVersion: version, correlationId: 42, clientId: 'unit' },
    body as never,
  );
  return new RequestFrame(buf.subarray(4));
}

/** What the gateway would do, as comparable text: answer bytes, or the request it forwards. */
function summary(d: FilterDecision, frame: RequestFrame): string {
  if (d.kind === 'answer') return `answer ${d.response.toString('hex')}`;
  if (d.kind === 'close') return 'close';
  return `forward ${frame.modified ? frame.toBuffer().toString('hex') : 'unchanged'}`;
}

const h = () =>
  harness(
    [
      acl(RT.TOPIC, 'ok-', Op.ALL, { pattern: PatternType.PREFIXED }),
      acl(RT.GROUP, 'ok-', Op.ALL, { pattern: PatternType.PREFIXED }),
      acl(RT.TRANSACTIONAL_ID, 'ok-', Op.ALL, { pattern: PatternType.PREFIXED }),
    ],
    { ids: { [tid('ok-topic')]: 'ok-topic', [tid('no-topic')]: 'no-topic' } },
  );

describe('authz completeness: every resource field is authorized', () => {
  for (const info of forwarded) {
    const resources = REQUEST_FIELDS.get(info.apiKey)?.resources ?? [];
    if (resources.length === 0) continue;
    it(`${info.name}: a denied value in any resource field changes the decision`, async () => {
      const notEnforced: string[] = [];
      for (const v of versionsOf(info.apiKey)) {
        const paths = new Set(namingFields(info.apiKey, v).map((f) => f.path));
        const allowedFrame = requestWith(info.apiKey, v, undefined);
        const allowed = summary(await h().run(allowedFrame), allowedFrame);
        for (const p of resources) {
          if (!paths.has(p)) continue;
          const frame = requestWith(info.apiKey, v, p);
          const denied = summary(await h().run(frame), frame);
          if (denied === allowed) notEnforced.push(`v${v} ${p}`);
        }
      }
      assert.deepEqual(notEnforced, []);
    });
  }
});

describe('authz completeness: denials of every API and version are well-formed answers', () => {
  it('every API and version with only denied names: a response that decodes, or a documented close', async () => {
    const problems: string[] = [];
    const closes: string[] = [];
    for (const info of forwarded) {
      for (const v of versionsOf(info.apiKey)) {
        const frame = requestWith(info.apiKey, v, undefined);
        // Nobody has any ACL here: every name is denied.
        const d = await harness([])
          .run(frame)
          .catch((e: Error) => e);
        if (d instanceof Error) {
          problems.push(`${info.name} v${v}: ${d.message}`);
          continue;
        }
        if (d.kind === 'close') closes.push(`${info.name} v${v}`);
        if (d.kind !== 'answer') continue;
        try {
          new ResponseFrame(d.response.subarray(4), info.apiKey, v).body(info.apiKey as RequestApiKey);
        } catch (e) {
          problems.push(`${info.name} v${v}: answer does not decode: ${(e as Error).message}`);
        }
      }
    }
    assert.deepEqual(problems, []);
    // Kafka closes the connection only for a denied acks=0 produce, which these requests are not.
    assert.deepEqual(closes, []);
  });
});
