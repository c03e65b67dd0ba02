/**
 * Fetch sessions (KIP-227) through the gateway: bound to the connection the broker created them
 * for, and every partition re-authorized on every fetch (issue #12 finding 1). The broker side is
 * the integration conformance test's; here the decisions on crafted frames.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, defaultFetchRequest, defaultFetchResponse } from '../../../protocol/index.js';
import { AclOperation as Op, ResourceType as RT } from '../../../security/acl/index.js';
import { acl, answered, forwardedBody, harness, request, session, upstream } from './helpers.js';

const part = (partition: number, fetchOffset = 0n) => ({
  partition,
  currentLeaderEpoch: -1,
  fetchOffset,
  lastFetchedEpoch: -1,
  logStartOffset: -1n,
  partitionMaxBytes: 1024,
});

const fetchReq = (
  sessionId: number,
  sessionEpoch: number,
  topics: [string, number[]][],
  forgotten: [string, number[]][] = [],
) =>
  request(ApiKey.Fetch, 12, {
    ...defaultFetchRequest(),
    replicaId: -1,
    maxWaitMs: 500,
    sessionId,
    sessionEpoch,
    topics: topics.map(([topic, ps]) => ({ topic, topicId: '', partitions: ps.map((p) => part(p)) })),
    forgottenTopicsData: forgotten.map(([topic, partitions]) => ({ topic, topicId: '', partitions })),
  });

const brokerAnswer = (sessionId: number, topics: string[] = []) => ({
  ...defaultFetchResponse(),
  sessionId,
  responses: topics.map((topic) => ({
    topic,
    topicId: '',
    partitions: [
      {
        partitionIndex: 0,
        errorCode: 0,
        highWatermark: 1n,
        lastStableOffset: 1n,
        logStartOffset: 0n,
        abortedTransactions: null,
        preferredReadReplica: -1,
        records: Buffer.alloc(0),
      },
    ],
  })),
});

describe('authz: fetch sessions are bound to their connection', () => {
  it("another connection's session id is answered exactly as an id that does not exist", async () => {
    const h = harness([
      acl(RT.TOPIC, 'orders', Op.READ),
      acl(RT.TOPIC, 'orders', Op.READ, { principal: 'User:bob' }),
    ]);
    const alice = session('User:alice');
    const bob = session('User:bob');
    // alice's connection creates session 777 on the broker.
    const d = await h.run(fetchReq(0, 0, [['orders', [0]]]), alice);
    upstream(d, ApiKey.Fetch, 12, brokerAnswer(777, ['orders']));
    // bob names it with the right next epoch, and with a wrong one; and a random id.
    const foreignRight = answered(await h.run(fetchReq(777, 1, []), bob), ApiKey.Fetch, 12);
    const foreignWrong = answered(await h.run(fetchReq(777, 9, []), bob), ApiKey.Fetch, 12);
    const unknown = answered(await h.run(fetchReq(123456, 1, []), bob), ApiKey.Fetch, 12);
    assert.equal(foreignRight.errorCode, 70); // FETCH_SESSION_ID_NOT_FOUND
    assert.deepEqual(foreignRight, unknown);
    assert.deepEqual(foreignWrong, unknown);
    // alice's own next fetch goes to the broker untouched.
    const own = fetchReq(777, 1, []);
    assert.equal((await h.run(own, alice)).kind, 'forward');
    assert.equal(own.modified, false);
  });

  it("a full fetch naming someone else's session does not close it (sent sessionless)", async () => {
    const h = harness([acl(RT.TOPIC, 'orders', Op.READ, { principal: 'User:bob' })]);
    const f = fetchReq(777, -1, [['orders', [0]]]);
    assert.equal((await h.run(f, session('User:bob'))).kind, 'forward');
    assert.equal(forwardedBody(f, ApiKey.Fetch).sessionId, 0);
  });
});

describe('authz: every partition of a session is re-authorized on every fetch', () => {
  it('an ACL revoked mid-session: the partition leaves the broker session and is refused on every fetch', async () => {
    const grant = acl(RT.TOPIC, 'orders', Op.READ);
    const h = harness([grant, acl(RT.TOPIC, 'public', Op.READ)]);
    const me = session('User:alice');
    upstream(
      await h.run(
        fetchReq(0, 0, [
          ['orders', [0]],
          ['public', [0]],
        ]),
        me,
      ),
      ApiKey.Fetch,
      12,
      brokerAnswer(555, ['orders', 'public']),
    );
    // Steady state: an empty incremental fetch is forwarded untouched (and streamed).
    const steady = fetchReq(555, 1, []);
    assert.equal((await h.run(steady, me)).kind, 'forward');
    assert.equal(steady.modified, false);

    h.authorizer.removeAcl(grant);
    const after = fetchReq(555, 2, []);
    const d = await h.run(after, me);
    const sent = forwardedBody(after, ApiKey.Fetch);
    assert.deepEqual(sent.topics, []);
    assert.deepEqual(
      sent.forgottenTopicsData.map((t) => [t.topic, t.partitions]),
      [['orders', [0]]],
    );
    const r = upstream(d, ApiKey.Fetch, 12, brokerAnswer(555, ['public']));
    assert.deepEqual(
      r.responses.map((t) => [t.topic, t.partitions[0]!.errorCode]),
      [
        ['orders', 29],
        ['public', 0],
      ],
    );
    // Reported again on the next fetch (Kafka includes erroneous partitions in every response);
    // nothing more to forget on the broker.
    const again = fetchReq(555, 3, []);
    const d2 = await h.run(again, me);
    assert.deepEqual(forwardedBody(again, ApiKey.Fetch).forgottenTopicsData, []);
    const r2 = upstream(d2, ApiKey.Fetch, 12, brokerAnswer(555, []));
    assert.deepEqual(
      r2.responses.map((t) => [t.topic, t.partitions[0]!.errorCode]),
      [['orders', 29]],
    );

    // Granted again: the partition goes back to the broker with the data the client last sent.
    h.authorizer.addAcl(grant);
    const regranted = fetchReq(555, 4, []);
    await h.run(regranted, me);
    assert.deepEqual(
      forwardedBody(regranted, ApiKey.Fetch).topics.map((t) => [
        t.topic,
        t.partitions.map((p) => p.partition),
      ]),
      [['orders', [0]]],
    );
  });

  it('a partition added to a session without READ never reaches the broker, and a forgotten one is forgotten', async () => {
    const h = harness([acl(RT.TOPIC, 'public', Op.READ)]);
    const me = session('User:alice');
    upstream(
      await h.run(fetchReq(0, 0, [['public', [0]]]), me),
      ApiKey.Fetch,
      12,
      brokerAnswer(42, ['public']),
    );
    const add = fetchReq(42, 1, [['secret', [0]]]);
    await h.run(add, me);
    assert.deepEqual(forwardedBody(add, ApiKey.Fetch).topics, []);
    const forget = fetchReq(
      42,
      2,
      [],
      [
        ['public', [0]],
        ['secret', [0]],
      ],
    );
    const d = await h.run(forget, me);
    const sent = forwardedBody(forget, ApiKey.Fetch);
    assert.deepEqual(
      sent.forgottenTopicsData.map((t) => [t.topic, t.partitions]),
      [['public', [0]]],
    );
    assert.equal(sent.maxWaitMs, 0);
    const r = upstream(d, ApiKey.Fetch, 12, brokerAnswer(42, []));
    assert.deepEqual(r.responses, []);
  });
});
