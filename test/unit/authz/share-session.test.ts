/**
 * Share sessions (KIP-932) through the gateway, the same class of state as fetch sessions: bound
 * to the connection that opened them, and every partition of the session re-authorized on every
 * ShareFetch, so a READ revoked mid-session stops the broker fetching for the client.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, defaultShareFetchRequest, defaultShareFetchResponse } from '../../../protocol/index.js';
import { AclOperation as Op, ResourceType as RT } from '../../../security/acl/index.js';
import { acl, answered, forwardedBody, harness, request, session, tid, upstream } from './helpers.js';

const ids = { [tid('orders')]: 'orders' };
const member = tid('member-1');

const shareFetch = (epoch: number, topics: [string, number[]][], memberId = member) =>
  request(ApiKey.ShareFetch, 1, {
    ...defaultShareFetchRequest(),
    groupId: 'sg',
    memberId,
    shareSessionEpoch: epoch,
    maxRecords: 10,
    batchSize: 10,
    topics: topics.map(([topic, ps]) => ({
      topicId: tid(topic),
      partitions: ps.map((partitionIndex) => ({
        partitionIndex,
        partitionMaxBytes: 0,
        acknowledgementBatches: [],
      })),
    })),
    forgottenTopicsData: [],
  });

const grants = (principal: string) => [
  acl(RT.GROUP, 'sg', Op.READ, { principal }),
  acl(RT.TOPIC, 'orders', Op.READ, { principal }),
];

describe('authz: share sessions', () => {
  it("another connection's share session is not found, as a session that does not exist", async () => {
    const h = harness([...grants('User:alice'), ...grants('User:bob')], { ids });
    const alice = session('User:alice');
    const d = await h.run(shareFetch(0, [['orders', [0]]]), alice);
    upstream(d, ApiKey.ShareFetch, 1, defaultShareFetchResponse());
    // bob names alice's group and member id with the next epoch: not found, like any unknown one.
    const foreign = answered(await h.run(shareFetch(1, []), session('User:bob')), ApiKey.ShareFetch, 1);
    const unknown = answered(
      await h.run(shareFetch(1, [], tid('member-2')), session('User:bob')),
      ApiKey.ShareFetch,
      1,
    );
    assert.equal(foreign.errorCode, 122); // SHARE_SESSION_NOT_FOUND
    assert.deepEqual(foreign, unknown);
    // alice's own next fetch goes to the broker.
    assert.equal((await h.run(shareFetch(1, []), alice)).kind, 'forward');
  });

  it('READ revoked mid-session: refused on every fetch, gone from the broker session, back once granted', async () => {
    const h = harness(grants('User:alice'), { ids });
    const alice = session('User:alice');
    upstream(
      await h.run(shareFetch(0, [['orders', [0, 1]]]), alice),
      ApiKey.ShareFetch,
      1,
      defaultShareFetchResponse(),
    );
    const [, topicGrant] = grants('User:alice');
    h.authorizer.removeAcl(topicGrant!);

    // First fetch after the revocation: both partitions leave the broker's copy of the session.
    const f1 = shareFetch(1, []);
    const d1 = await h.run(f1, alice);
    const sent = forwardedBody(f1, ApiKey.ShareFetch);
    assert.deepEqual(sent.forgottenTopicsData, [{ topicId: tid('orders'), partitions: [0, 1] }]);
    const r1 = upstream(d1, ApiKey.ShareFetch, 1, defaultShareFetchResponse());
    assert.deepEqual(
      r1.responses.flatMap((t) => t.partitions.map((p) => p.errorCode)),
      [29, 29],
    );
    // Next fetch: still refused, answered by the gateway (nothing left on the broker for it).
    const r2 = answered(await h.run(shareFetch(2, []), alice), ApiKey.ShareFetch, 1);
    assert.deepEqual(
      r2.responses.flatMap((t) => t.partitions.map((p) => p.errorCode)),
      [29, 29],
    );

    // Granted back: the partitions return to the broker's session, at the broker's epoch.
    h.authorizer.addAcl(topicGrant!);
    const f3 = shareFetch(3, []);
    assert.equal((await h.run(f3, alice)).kind, 'forward');
    const back = forwardedBody(f3, ApiKey.ShareFetch);
    assert.deepEqual(
      back.topics.flatMap((t) => t.partitions.map((p) => p.partitionIndex)),
      [0, 1],
    );
    assert.equal(
      back.shareSessionEpoch,
      2,
      'the fetch answered by the gateway did not move the broker epoch',
    );
  });
});
