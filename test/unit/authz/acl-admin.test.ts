import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, RequestFrame, ResponseFrame, encodeRequestFrame } from '../../../protocol/index.js';
import {
  AclAuthorizer,
  AclOperation as Op,
  AclPermissionType as Perm,
  PatternType as PT,
  ResourceType as RT,
  decodeAclRecord,
} from '../../../security/acl/index.js';
import { createAcls, deleteAcls, describeAcls } from '../../../gateway/authz/acl-admin.js';
import { fakes, session } from './helpers.js';

function setup() {
  const authorizer = new AclAuthorizer({ superUsers: ['User:admin'] });
  const { audit, metrics, rec } = fakes();
  const written: { key: string; value: Buffer | null }[] = [];
  // Applies records as the gateway's security-topic tail does.
  const topic = {
    write: async (records: { key: string; value: Buffer | null }[]) => {
      for (const r of records) {
        written.push(r);
        const d = decodeAclRecord(r.key, r.value);
        if (d.op === 'put') authorizer.addAcl(d.acl);
        else authorizer.removeAcl(d.key);
      }
    },
  };
  const deps = {
    authorizer,
    audit,
    topic,
    authz: { authorizer, audit, metrics, reservedTopics: new Set<string>() },
  };
  return { deps, rec, written, authorizer };
}

const frame = <K extends typeof ApiKey.CreateAcls | typeof ApiKey.DescribeAcls | typeof ApiKey.DeleteAcls>(
  apiKey: K,
  body: Parameters<typeof encodeRequestFrame<K>>[1],
) =>
  new RequestFrame(
    encodeRequestFrame({ apiKey, apiVersion: 3, correlationId: 7, clientId: 'unit' }, body).subarray(4),
  );
const decode = <K extends typeof ApiKey.CreateAcls | typeof ApiKey.DescribeAcls | typeof ApiKey.DeleteAcls>(
  buf: Buffer,
  apiKey: K,
) => new ResponseFrame(buf.subarray(4), apiKey, 3).body(apiKey);

const creation = (over: Partial<Record<string, unknown>> = {}) => ({
  resourceType: RT.TOPIC,
  resourceName: 'orders',
  resourcePatternType: PT.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: Op.READ,
  permissionType: Perm.ALLOW,
  ...over,
});
const anyFilter = {
  resourceTypeFilter: RT.ANY,
  resourceNameFilter: null,
  patternTypeFilter: PT.ANY,
  principalFilter: null,
  hostFilter: null,
  operation: Op.ANY,
  permissionType: Perm.ANY,
};

describe('authz: ACL administration', () => {
  it('creates, lists and deletes through the security topic, auditing each change', async () => {
    const { deps, rec, written, authorizer } = setup();
    const created = decode(
      await createAcls(deps)(
        frame(ApiKey.CreateAcls, { creations: [creation(), creation({ resourceName: '' })] }),
        session('User:admin'),
      ),
      ApiKey.CreateAcls,
    );
    assert.deepEqual(
      created.results.map((r) => r.errorCode),
      [0, 42],
    );
    assert.equal(authorizer.size, 1);
    assert.equal(written.length, 1);
    assert.match(rec.changes[0]!, /^CreateAcls TOPIC:orders created/);

    const listed = decode(
      await describeAcls(deps)(frame(ApiKey.DescribeAcls, anyFilter), session('User:admin')),
      ApiKey.DescribeAcls,
    );
    assert.equal(listed.errorCode, 0);
    assert.deepEqual(
      listed.resources.map((r) => [r.resourceName, r.acls.map((a) => a.principal)]),
      [['orders', ['User:alice']]],
    );

    const deleted = decode(
      await deleteAcls(deps)(
        frame(ApiKey.DeleteAcls, { filters: [{ ...anyFilter, resourceTypeFilter: RT.TOPIC }] }),
        session('User:admin'),
      ),
      ApiKey.DeleteAcls,
    );
    assert.equal(deleted.filterResults[0]!.matchingAcls.length, 1);
    assert.equal(authorizer.size, 0);
    assert.equal(written.at(-1)!.value, null, 'a tombstone');
  });

  it('needs ALTER on the cluster to change and DESCRIBE to list', async () => {
    const { deps, rec, authorizer } = setup();
    const created = decode(
      await createAcls(deps)(frame(ApiKey.CreateAcls, { creations: [creation()] }), session()),
      ApiKey.CreateAcls,
    );
    assert.equal(created.results[0]!.errorCode, 31);
    assert.equal(authorizer.size, 0);
    assert.deepEqual(rec.denied, ['CreateAcls CLUSTER:kafka-cluster ALTER']);
    const listed = decode(
      await describeAcls(deps)(frame(ApiKey.DescribeAcls, anyFilter), session()),
      ApiKey.DescribeAcls,
    );
    assert.equal(listed.errorCode, 31);
    const invalid = decode(
      await describeAcls(deps)(
        frame(ApiKey.DescribeAcls, { ...anyFilter, operation: 99 }),
        session('User:admin'),
      ),
      ApiKey.DescribeAcls,
    );
    assert.equal(invalid.errorCode, 42);
  });
});
