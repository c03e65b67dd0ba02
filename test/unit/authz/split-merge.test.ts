import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApiKey,
  ZERO_UUID,
  apiKeyTable,
  defaultFetchRequest,
  defaultFetchResponse,
  defaultMetadataRequest,
  defaultMetadataResponse,
  defaultMetadataResponseMetadataResponseTopic,
  defaultOffsetFetchRequest,
  defaultProduceRequest,
  defaultProduceResponsePartitionProduceResponse,
} from '../../../protocol/index.js';
import { AclOperation as Op, PatternType, ResourceType as RT } from '../../../security/acl/index.js';
import { RULES } from '../../../gateway/authz/index.js';
import { LOCALLY_ANSWERED, isClientApi } from '../../../gateway/filters/api-versions.js';
import { acl, answered, forwardedBody, harness, request, session, tid, upstream } from './helpers.js';

const records = (transactional = false): Buffer => {
  // A minimal v2 batch header: only length, magic and attributes matter to the filter.
  const b = Buffer.alloc(61);
  b.writeInt32BE(49, 8);
  b.writeInt8(2, 16);
  b.writeInt16BE(transactional ? 0x10 : 0, 21);
  return b;
};

const produce = (topics: string[], opts: { acks?: number; txn?: string; transactional?: boolean } = {}) =>
  request(ApiKey.Produce, 9, {
    ...defaultProduceRequest(),
    acks: opts.acks ?? -1,
    timeoutMs: 1000,
    transactionalId: opts.txn ?? null,
    topicData: topics.map((name) => ({
      name,
      topicId: ZERO_UUID,
      partitionData: [{ index: 0, records: records(opts.transactional) }],
    })),
  });

const produced = (name: string, errorCode = 0) => ({
  name,
  topicId: ZERO_UUID,
  partitionResponses: [{ ...defaultProduceResponsePartitionProduceResponse(), index: 0, errorCode }],
});

describe('authz: every API the gateway forwards has a rule', () => {
  it('covers each client API of the codec that is not answered locally', () => {
    const missing = apiKeyTable
      .filter((i) => !i.removed && isClientApi(i.apiKey) && !LOCALLY_ANSWERED.has(i.apiKey))
      .filter((i) => !RULES.has(i.apiKey))
      .map((i) => i.name);
    assert.deepEqual(missing, []);
  });
});

describe('authz: Produce', () => {
  it('forwards an entirely allowed request untouched', async () => {
    const h = harness([acl(RT.TOPIC, 'orders', Op.WRITE)]);
    const f = produce(['orders']);
    const d = await h.run(f);
    assert.equal(d.kind, 'forward');
    assert.equal(f.modified, false);
  });

  it('splits a partly denied request and merges the answers in request order', async () => {
    const h = harness([acl(RT.TOPIC, 'a', Op.WRITE), acl(RT.TOPIC, 'c', Op.WRITE)]);
    const f = produce(['a', 'b', 'c']);
    const d = await h.run(f);
    assert.deepEqual(
      forwardedBody(f, ApiKey.Produce).topicData.map((t) => t.name),
      ['a', 'c'],
    );
    // The broker answers in its own order; the client sees the request's.
    const r = upstream(d, ApiKey.Produce, 9, {
      responses: [produced('c'), produced('a')],
      throttleTimeMs: 0,
    });
    assert.deepEqual(
      r.responses.map((t) => [t.name, t.partitionResponses[0]!.errorCode]),
      [
        ['a', 0],
        ['b', 29],
        ['c', 0],
      ],
    );
    assert.equal(r.responses[1]!.partitionResponses[0]!.baseOffset, -1n);
    assert.deepEqual(h.rec.denied, ['Produce TOPIC:b WRITE']);
    assert.deepEqual(h.rec.metrics, ['Produce TOPIC WRITE']);
  });

  it('answers locally when every topic is denied', async () => {
    const h = harness([]);
    const d = await h.run(produce(['x', 'y']));
    const r = answered(d, ApiKey.Produce, 9);
    assert.deepEqual(
      r.responses.map((t) => t.partitionResponses[0]!.errorCode),
      [29, 29],
    );
  });

  it('needs WRITE on the transactional id for transactional batches', async () => {
    const h = harness([acl(RT.TOPIC, 'orders', Op.WRITE)]);
    const d = await h.run(produce(['orders'], { txn: 'tx-1', transactional: true }));
    assert.equal(answered(d, ApiKey.Produce, 9).responses[0]!.partitionResponses[0]!.errorCode, 53);
    const h2 = harness([
      acl(RT.TOPIC, 'orders', Op.WRITE),
      acl(RT.TRANSACTIONAL_ID, 'tx-', Op.WRITE, { pattern: PatternType.PREFIXED }),
    ]);
    assert.equal((await h2.run(produce(['orders'], { txn: 'tx-1', transactional: true }))).kind, 'forward');
  });

  it('closes the connection for a denied acks=0 produce (no response is expected)', async () => {
    const h = harness([]);
    const d = await h.run(produce(['x'], { acks: 0 }));
    assert.equal(d.kind, 'close');
  });

  it('lets DENY win over ALLOW, and matches PREFIXED and wildcard rules', async () => {
    const h = harness([
      acl(RT.TOPIC, '*', Op.WRITE),
      acl(RT.TOPIC, 'secret-', Op.WRITE, { pattern: PatternType.PREFIXED, deny: true }),
    ]);
    const f = produce(['public', 'secret-x']);
    const d = await h.run(f);
    assert.deepEqual(
      forwardedBody(f, ApiKey.Produce).topicData.map((t) => t.name),
      ['public'],
    );
    assert.equal(d.kind, 'forward');
  });

  it('honours host-restricted rules against the Java form of the client address', async () => {
    const h = harness([acl(RT.TOPIC, 'orders', Op.WRITE, { host: '0:0:0:0:0:0:0:1' })]);
    assert.equal((await h.run(produce(['orders']), session('User:alice', '::1'))).kind, 'forward');
    assert.equal((await h.run(produce(['orders']), session('User:alice', '127.0.0.1'))).kind, 'answer');
  });

  it('refuses the gateway reserved topics to everybody, super users included', async () => {
    const h = harness([], { reserved: ['__kgw_security'] });
    const d = await h.run(produce(['__kgw_security']), session('User:admin'));
    assert.equal(answered(d, ApiKey.Produce, 9).responses[0]!.partitionResponses[0]!.errorCode, 29);
  });
});

describe('authz: Fetch by topic id (v13+)', () => {
  const ids = { [tid('idOrders')]: 'orders', [tid('idSecret')]: 'secret' };
  const fetch = (topicIds: string[]) =>
    request(ApiKey.Fetch, 16, {
      ...defaultFetchRequest(),
      replicaId: -1,
      maxWaitMs: 500,
      topics: topicIds.map((label) => ({
        topic: '',
        topicId: tid(label),
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0n,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 1024,
          },
        ],
      })),
    });

  it('resolves ids through the cluster view; unknown ids are UNKNOWN_TOPIC_ID', async () => {
    const h = harness([acl(RT.TOPIC, 'orders', Op.READ)], { ids });
    const f = fetch(['idOrders', 'idSecret', 'idUnknown']);
    const d = await h.run(f);
    assert.deepEqual(
      forwardedBody(f, ApiKey.Fetch).topics.map((t) => t.topicId),
      [tid('idOrders')],
    );
    const r = upstream(d, ApiKey.Fetch, 16, {
      ...defaultFetchResponse(),
      responses: [
        {
          topic: '',
          topicId: tid('idOrders'),
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 5n,
              lastStableOffset: 5n,
              logStartOffset: 0n,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: Buffer.alloc(0),
            },
          ],
        },
      ],
    });
    // Kafka lists the erroneous partitions first (IncrementalFetchContext / FullFetchContext).
    assert.deepEqual(
      r.responses.map((t) => [t.topicId, t.partitions[0]!.errorCode]),
      [
        [tid('idSecret'), 29],
        [tid('idUnknown'), 100],
        [tid('idOrders'), 0],
      ],
    );
  });

  it('forwards a fully denied fetch without partitions and without waiting, merging the errors', async () => {
    const h = harness([], { ids });
    const f = fetch(['idSecret']);
    const d = await h.run(f);
    const sent = forwardedBody(f, ApiKey.Fetch);
    assert.deepEqual(sent.topics, []);
    assert.equal(sent.maxWaitMs, 0);
    const r = upstream(d, ApiKey.Fetch, 16, { ...defaultFetchResponse(), responses: [] });
    assert.equal(r.responses[0]!.partitions[0]!.errorCode, 29);
    assert.equal(r.responses[0]!.partitions[0]!.highWatermark, -1n);
  });

  it('refuses replica (follower) fetches whoever asks', async () => {
    const h = harness([]);
    const f = request(ApiKey.Fetch, 12, {
      ...fetch(['x']).body(ApiKey.Fetch),
      replicaId: 1,
      topics: [{ ...fetch(['x']).body(ApiKey.Fetch).topics[0]!, topic: 't' }],
    });
    const d = await h.run(f, session('User:admin'));
    assert.deepEqual(forwardedBody(f, ApiKey.Fetch).topics, []);
    const r = upstream(d, ApiKey.Fetch, 12, { ...defaultFetchResponse(), responses: [] });
    assert.equal(r.responses[0]!.partitions[0]!.errorCode, 29);
  });
});

describe('authz: Metadata', () => {
  const topic = (name: string) => ({
    ...defaultMetadataResponseMetadataResponseTopic(),
    name,
    topicId: tid(name),
  });

  it('leaves unauthorized topics out of an all-topics listing', async () => {
    const h = harness([acl(RT.TOPIC, 'pub', Op.DESCRIBE, { pattern: PatternType.PREFIXED })]);
    const f = request(ApiKey.Metadata, 12, { ...defaultMetadataRequest(), topics: null });
    const d = await h.run(f);
    const r = upstream(d, ApiKey.Metadata, 12, {
      ...defaultMetadataResponse(),
      topics: [topic('pub-a'), topic('secret'), topic('pub-b')],
    });
    assert.deepEqual(
      r.topics.map((t) => t.name),
      ['pub-a', 'pub-b'],
    );
    assert.deepEqual(h.rec.denied, [], 'listing denials are not audited (as Kafka does not log them)');
  });

  it('answers named unauthorized topics TOPIC_AUTHORIZATION_FAILED without their id', async () => {
    const h = harness([acl(RT.TOPIC, 'pub', Op.DESCRIBE)]);
    const f = request(ApiKey.Metadata, 12, {
      ...defaultMetadataRequest(),
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: true,
      topics: [
        { topicId: ZERO_UUID, name: 'secret' },
        { topicId: ZERO_UUID, name: 'pub' },
      ],
    });
    const d = await h.run(f);
    assert.deepEqual(
      forwardedBody(f, ApiKey.Metadata).topics!.map((t) => t.name),
      ['pub'],
    );
    const r = upstream(d, ApiKey.Metadata, 12, { ...defaultMetadataResponse(), topics: [topic('pub')] });
    assert.deepEqual(
      r.topics.map((t) => [t.name, t.errorCode, t.topicId]),
      // KafkaApis lists the authorized topics first, then the unauthorized ones.
      [
        ['pub', 0, tid('pub')],
        ['secret', 29, ZERO_UUID],
      ],
    );
    // DESCRIBE only: bit 8 (DESCRIBE) set, nothing else.
    assert.equal(r.topics[0]!.topicAuthorizedOperations, 1 << Op.DESCRIBE);
  });

  it('turns off auto-creation without CREATE and reports the missing topic as unauthorized', async () => {
    const h = harness([acl(RT.TOPIC, 'new', Op.DESCRIBE)]);
    const f = request(ApiKey.Metadata, 12, {
      ...defaultMetadataRequest(),
      allowAutoTopicCreation: true,
      topics: [{ topicId: ZERO_UUID, name: 'new' }],
    });
    const d = await h.run(f);
    assert.equal(forwardedBody(f, ApiKey.Metadata).allowAutoTopicCreation, false);
    const r = upstream(d, ApiKey.Metadata, 12, {
      ...defaultMetadataResponse(),
      topics: [{ ...topic('new'), errorCode: 3, topicId: ZERO_UUID }],
    });
    assert.equal(r.topics[0]!.errorCode, 29);
    const withCreate = harness([
      acl(RT.TOPIC, 'new', Op.DESCRIBE),
      acl(RT.CLUSTER, 'kafka-cluster', Op.CREATE),
    ]);
    const f2 = request(ApiKey.Metadata, 12, {
      ...defaultMetadataRequest(),
      allowAutoTopicCreation: true,
      topics: [{ topicId: ZERO_UUID, name: 'new' }],
    });
    assert.equal((await withCreate.run(f2)).kind, 'forward');
    assert.equal(f2.modified, false);
  });
});

describe('authz: groups', () => {
  it('OffsetCommit: group READ first, then READ per topic', async () => {
    const body = {
      groupId: 'g',
      generationIdOrMemberEpoch: 1,
      memberId: 'm',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: ['a', 'b'].map((name) => ({
        name,
        topicId: ZERO_UUID,
        partitions: [
          { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: '' },
        ],
      })),
    };
    const noGroup = harness([acl(RT.TOPIC, 'a', Op.READ)]);
    const r = answered(await noGroup.run(request(ApiKey.OffsetCommit, 8, body)), ApiKey.OffsetCommit, 8);
    assert.deepEqual(
      r.topics.map((t) => t.partitions[0]!.errorCode),
      [30, 30],
    );
    const h = harness([acl(RT.GROUP, 'g', Op.READ), acl(RT.TOPIC, 'a', Op.READ)]);
    const f = request(ApiKey.OffsetCommit, 8, body);
    const d = await h.run(f);
    assert.deepEqual(
      forwardedBody(f, ApiKey.OffsetCommit).topics.map((t) => t.name),
      ['a'],
    );
    const merged = upstream(d, ApiKey.OffsetCommit, 8, {
      throttleTimeMs: 0,
      topics: [{ name: 'a', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, errorCode: 0 }] }],
    });
    assert.deepEqual(
      merged.topics.map((t) => [t.name, t.partitions[0]!.errorCode]),
      [
        ['a', 0],
        ['b', 29],
      ],
    );
  });

  it('OffsetFetch v8: denied groups and denied topics inside allowed groups', async () => {
    const h = harness([acl(RT.GROUP, 'g1', Op.DESCRIBE), acl(RT.TOPIC, 'a', Op.DESCRIBE)]);
    const f = request(ApiKey.OffsetFetch, 8, {
      ...defaultOffsetFetchRequest(),
      groups: [
        {
          groupId: 'g1',
          memberId: null,
          memberEpoch: -1,
          topics: ['a', 'b'].map((name) => ({ name, topicId: ZERO_UUID, partitionIndexes: [0] })),
        },
        { groupId: 'g2', memberId: null, memberEpoch: -1, topics: null },
      ],
    });
    const d = await h.run(f);
    const fwd = forwardedBody(f, ApiKey.OffsetFetch);
    assert.deepEqual(
      fwd.groups.map((g) => [g.groupId, g.topics?.map((t) => t.name)]),
      [['g1', ['a']]],
    );
    const r = upstream(d, ApiKey.OffsetFetch, 8, {
      throttleTimeMs: 0,
      errorCode: 0,
      topics: [],
      groups: [
        {
          groupId: 'g1',
          errorCode: 0,
          topics: [
            {
              name: 'a',
              topicId: ZERO_UUID,
              partitions: [
                {
                  partitionIndex: 0,
                  committedOffset: 7n,
                  committedLeaderEpoch: -1,
                  metadata: '',
                  errorCode: 0,
                },
              ],
            },
          ],
        },
      ],
    });
    assert.deepEqual(
      r.groups.map((g) => [
        g.groupId,
        g.errorCode,
        g.topics.map((t) => [t.name, t.partitions[0]!.errorCode]),
      ]),
      [
        [
          'g1',
          0,
          [
            ['a', 0],
            ['b', 29],
          ],
        ],
        ['g2', 30, []],
      ],
    );
  });

  it('FindCoordinator: per key in batched versions, whole answer in older ones', async () => {
    const h = harness([acl(RT.GROUP, 'ok', Op.DESCRIBE)]);
    const f = request(ApiKey.FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: ['no', 'ok'] });
    const d = await h.run(f);
    assert.deepEqual(forwardedBody(f, ApiKey.FindCoordinator).coordinatorKeys, ['ok']);
    const r = upstream(d, ApiKey.FindCoordinator, 4, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      nodeId: 0,
      host: '',
      port: 0,
      coordinators: [{ key: 'ok', nodeId: 1, host: 'h', port: 9, errorCode: 0, errorMessage: null }],
    });
    assert.deepEqual(
      r.coordinators.map((c) => [c.key, c.errorCode, c.nodeId]),
      [
        ['no', 30, -1],
        ['ok', 0, 1],
      ],
    );
    const old = answered(
      await h.run(request(ApiKey.FindCoordinator, 3, { key: 'tx', keyType: 1, coordinatorKeys: [] })),
      ApiKey.FindCoordinator,
      3,
    );
    assert.equal(old.errorCode, 53);
  });

  it('ListGroups: filtered per group unless DESCRIBE on the cluster', async () => {
    const h = harness([acl(RT.GROUP, 'mine', Op.DESCRIBE)]);
    const d = await h.run(request(ApiKey.ListGroups, 4, { statesFilter: [], typesFilter: [] }));
    const r = upstream(d, ApiKey.ListGroups, 4, {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: ['mine', 'theirs'].map((groupId) => ({
        groupId,
        protocolType: 'consumer',
        groupState: 'Stable',
        groupType: 'classic',
      })),
    });
    assert.deepEqual(
      r.groups.map((g) => g.groupId),
      ['mine'],
    );
    const all = harness([acl(RT.CLUSTER, 'kafka-cluster', Op.DESCRIBE)]);
    assert.equal(
      (await all.run(request(ApiKey.ListGroups, 4, { statesFilter: [], typesFilter: [] }))).kind,
      'forward',
    );
  });

  it('JoinGroup without READ on the group is answered GROUP_AUTHORIZATION_FAILED', async () => {
    const h = harness([]);
    const r = answered(
      await h.run(
        request(ApiKey.JoinGroup, 9, {
          groupId: 'g',
          sessionTimeoutMs: 10000,
          rebalanceTimeoutMs: 10000,
          memberId: '',
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [],
          reason: null,
        }),
      ),
      ApiKey.JoinGroup,
      9,
    );
    assert.equal(r.errorCode, 30);
    assert.equal(r.generationId, -1);
  });
});

describe('authz: configs, topics, transactions', () => {
  it('DescribeConfigs: broker → cluster (31), topic (29), group (30), per resource', async () => {
    const h = harness([acl(RT.TOPIC, 'ok', Op.DESCRIBE_CONFIGS)]);
    const f = request(ApiKey.DescribeConfigs, 4, {
      includeSynonyms: false,
      includeDocumentation: false,
      resources: [
        { resourceType: 4, resourceName: '1', configurationKeys: null },
        { resourceType: 2, resourceName: 'ok', configurationKeys: null },
        { resourceType: 2, resourceName: 'no', configurationKeys: null },
        { resourceType: 32, resourceName: 'g', configurationKeys: null },
      ],
    });
    const d = await h.run(f);
    const r = upstream(d, ApiKey.DescribeConfigs, 4, {
      throttleTimeMs: 0,
      results: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'ok', configs: [] }],
    });
    assert.deepEqual(
      r.results.map((x) => [x.resourceName, x.errorCode]),
      [
        ['1', 31],
        ['ok', 0],
        ['no', 29],
        ['g', 30],
      ],
    );
  });

  it('CreateTopics: CREATE on the cluster or on each topic', async () => {
    const topics = ['x', 'y'].map((name) => ({
      name,
      numPartitions: 1,
      replicationFactor: 1,
      assignments: [],
      configs: [],
    }));
    const h = harness([acl(RT.TOPIC, 'x', Op.CREATE)]);
    const f = request(ApiKey.CreateTopics, 7, { topics, timeoutMs: 1000, validateOnly: false });
    await h.run(f);
    assert.deepEqual(
      forwardedBody(f, ApiKey.CreateTopics).topics.map((t) => t.name),
      ['x'],
    );
    const cluster = harness([
      acl(RT.CLUSTER, 'kafka-cluster', Op.CREATE),
      acl(RT.TOPIC, '*', Op.DESCRIBE_CONFIGS),
    ]);
    assert.equal(
      (await cluster.run(request(ApiKey.CreateTopics, 7, { topics, timeoutMs: 1000, validateOnly: false })))
        .kind,
      'forward',
    );
  });

  it('InitProducerId: idempotence needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic', async () => {
    const body = {
      transactionalId: null,
      transactionTimeoutMs: -1,
      producerId: -1n,
      producerEpoch: -1,
      enable2Pc: false,
      keepPreparedTxn: false,
    };
    assert.equal(
      answered(await harness([]).run(request(ApiKey.InitProducerId, 5, body)), ApiKey.InitProducerId, 5)
        .errorCode,
      31,
    );
    const writer = harness([acl(RT.TOPIC, 'orders-', Op.WRITE, { pattern: PatternType.PREFIXED })]);
    assert.equal((await writer.run(request(ApiKey.InitProducerId, 5, body))).kind, 'forward');
    const txn = answered(
      await writer.run(request(ApiKey.InitProducerId, 5, { ...body, transactionalId: 'tx' })),
      ApiKey.InitProducerId,
      5,
    );
    assert.equal(txn.errorCode, 53);
  });

  it('ElectLeaders without ALTER on the cluster: every partition CLUSTER_AUTHORIZATION_FAILED', async () => {
    const r = answered(
      await harness([]).run(
        request(ApiKey.ElectLeaders, 2, {
          electionType: 0,
          timeoutMs: 1000,
          topicPartitions: [{ topic: 't', partitions: [0, 1] }],
        }),
      ),
      ApiKey.ElectLeaders,
      2,
    );
    assert.equal(r.errorCode, 31);
    assert.deepEqual(
      r.replicaElectionResults[0]!.partitionResult.map((p) => p.errorCode),
      [31, 31],
    );
  });

  it('refuses inter-broker APIs to everybody', async () => {
    const r = answered(
      await harness([]).run(
        request(ApiKey.WriteTxnMarkers, 1, {
          markers: [
            {
              producerId: 1n,
              producerEpoch: 0,
              transactionResult: true,
              topics: [{ name: 't', partitionIndexes: [0] }],
              coordinatorEpoch: 0,
              transactionVersion: 0,
            },
          ],
        }),
        session('User:admin'),
      ),
      ApiKey.WriteTxnMarkers,
      1,
    );
    // Kafka's WriteTxnMarkersRequest.getErrorResponse for a client without CLUSTER_ACTION: each
    // marker by producer id, no topics (checked against a broker by the conformance test).
    assert.deepEqual(r.markers, [{ producerId: 1n, topics: [] }]);
  });
});
