/**
 * The rules the second review of issue #12 added, without a broker: TWO_PHASE_COMMIT for
 * InitProducerId's enable2Pc (KIP-939), unknown tagged fields dropped before forwarding, the
 * reserved topics left out of DescribeLogDirs. The same attacks against a real broker and Kafka's
 * StandardAuthorizer are test/integration/authz/redteam.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApiKey,
  ZERO_UUID,
  defaultCreateTopicsRequest,
  defaultDescribeConfigsRequest,
  defaultDescribeLogDirsResponse,
  defaultInitProducerIdRequest,
  defaultMetadataRequest,
} from '../../../protocol/index.js';
import { AclOperation as Op, ResourceType as RT } from '../../../security/acl/index.js';
import { acl, answered, harness, request, session, upstream } from './helpers.js';

describe('red team rules', () => {
  const init = (enable2Pc: boolean) =>
    request(ApiKey.InitProducerId, 6, {
      ...defaultInitProducerIdRequest(),
      transactionalId: 'tx',
      transactionTimeoutMs: 60_000,
      enable2Pc,
    });

  it('InitProducerId enable2Pc needs TWO_PHASE_COMMIT besides WRITE on the transactional id', async () => {
    const writeOnly = harness([acl(RT.TRANSACTIONAL_ID, 'tx', Op.WRITE)]);
    assert.equal((await writeOnly.run(init(false))).kind, 'forward');
    const refused = answered(await writeOnly.run(init(true)), ApiKey.InitProducerId, 6);
    assert.equal(refused.errorCode, 53);
    assert.equal(refused.producerId, -1n);
    assert.deepEqual(writeOnly.rec.denied, ['InitProducerId TRANSACTIONAL_ID:tx TWO_PHASE_COMMIT']);
    const both = harness([
      acl(RT.TRANSACTIONAL_ID, 'tx', Op.WRITE),
      acl(RT.TRANSACTIONAL_ID, 'tx', Op.TWO_PHASE_COMMIT),
    ]);
    assert.equal((await both.run(init(true))).kind, 'forward');
    // TWO_PHASE_COMMIT alone is not WRITE.
    const twoPcOnly = harness([acl(RT.TRANSACTIONAL_ID, 'tx', Op.TWO_PHASE_COMMIT)]);
    assert.equal(answered(await twoPcOnly.run(init(true)), ApiKey.InitProducerId, 6).errorCode, 53);
  });

  it('a forwarded request loses the tagged fields the gateway does not know, at every depth', async () => {
    const h = harness([acl(RT.TOPIC, 'ok-t', Op.DESCRIBE)]);
    const secret = Buffer.from('no-t-named-in-an-unknown-tag');
    const frame = request(ApiKey.Metadata, 12, {
      ...defaultMetadataRequest(),
      topics: [{ name: 'ok-t', topicId: ZERO_UUID, unknownTaggedFields: [{ tag: 7, data: secret }] }],
      allowAutoTopicCreation: false,
      unknownTaggedFields: [{ tag: 9, data: secret }],
    });
    assert.ok(frame.toBuffer().includes(secret), 'the crafted request carries the tags');
    const d = await h.run(frame);
    assert.equal(d.kind, 'forward');
    assert.equal(frame.toBuffer().includes(secret), false, 'no unknown tag reaches the broker');
    // A request without unknown tags is forwarded as its original bytes.
    const plain = request(ApiKey.Metadata, 12, {
      ...defaultMetadataRequest(),
      topics: [{ name: 'ok-t', topicId: ZERO_UUID }],
      allowAutoTopicCreation: false,
    });
    await h.run(plain);
    assert.equal(plain.modified, false);
  });

  it('DescribeConfigs naming a config resource type Kafka does not know is answered here, never forwarded', async () => {
    const h = harness([acl(RT.TOPIC, 'ok-t', Op.DESCRIBE_CONFIGS)]);
    const d = await h.run(
      request(ApiKey.DescribeConfigs, 4, {
        ...defaultDescribeConfigsRequest(),
        resources: [
          { resourceType: 2, resourceName: 'ok-t', configurationKeys: null },
          { resourceType: 64, resourceName: 'ok-t', configurationKeys: null },
        ],
      }),
    );
    const r = answered(d, ApiKey.DescribeConfigs, 4);
    assert.deepEqual(
      r.results.map((x) => [x.resourceType, x.errorCode]),
      [
        [2, 42],
        [64, 42],
      ],
    );
  });

  it('AlterConfigs and IncrementalAlterConfigs answer an unknown config resource type here, per resource', async () => {
    const h = harness([acl(RT.TOPIC, 'ok-t', Op.ALTER_CONFIGS)]);
    for (const apiKey of [ApiKey.AlterConfigs, ApiKey.IncrementalAlterConfigs] as const) {
      const d = await h.run(
        request(apiKey, 1, {
          validateOnly: true,
          resources: [{ resourceType: 64, resourceName: 'ok-t', configs: [] }],
        }),
      );
      const r = answered(d, apiKey, 1);
      assert.deepEqual(
        r.responses.map((x) => [x.errorCode, x.errorMessage]),
        [[42, 'Unknown resource type 64']],
      );
    }
  });

  it('CreateTopics of a reserved topic is refused even with CREATE on the cluster', async () => {
    const h = harness([acl(RT.CLUSTER, 'kafka-cluster', Op.CREATE)], { reserved: ['__kgw_security'] });
    const create = (names: string[]) =>
      request(ApiKey.CreateTopics, 7, {
        ...defaultCreateTopicsRequest(),
        timeoutMs: 1000,
        topics: names.map((name) => ({
          name,
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [],
        })),
      });
    const r = answered(await h.run(create(['__kgw_security'])), ApiKey.CreateTopics, 7);
    assert.deepEqual(
      r.topics.map((t) => [t.name, t.errorCode]),
      [['__kgw_security', 29]],
    );
    assert.equal((await h.run(create(['any-topic']))).kind, 'forward');
  });

  it("DescribeLogDirs leaves out the gateway's reserved topics, even for the cluster's administrator", async () => {
    const h = harness([], { reserved: ['__kgw_security'] });
    const d = await h.run(request(ApiKey.DescribeLogDirs, 4, { topics: null }), session('User:admin'));
    const r = upstream(d, ApiKey.DescribeLogDirs, 4, {
      ...defaultDescribeLogDirsResponse(),
      results: [
        {
          errorCode: 0,
          logDir: '/data',
          totalBytes: 0n,
          usableBytes: 0n,
          isCordoned: false,
          topics: ['ok-t', '__kgw_security'].map((name) => ({
            name,
            partitions: [{ partitionIndex: 0, partitionSize: 1n, offsetLag: 0n, isFutureKey: false }],
          })),
        },
      ],
    });
    assert.deepEqual(
      r.results[0]!.topics.map((t) => t.name),
      ['ok-t'],
    );
    // Without DESCRIBE on the cluster: refused as before.
    const bob = await harness([]).run(
      request(ApiKey.DescribeLogDirs, 4, { topics: null }),
      session('User:bob'),
    );
    assert.equal(answered(bob, ApiKey.DescribeLogDirs, 4).errorCode, 31);
  });
});
