import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffAgainst, generate, generatedDir } from '../../../protocol/generator/generate.js';
import { OPEN, parseMessage, parseRange, stripComments } from '../../../protocol/generator/schema.js';
import {
  ApiKey,
  ZERO_UUID,
  apiKeyTable,
  collectEntities,
  decodeRequest,
  encodeRequest,
  entityFields,
} from '../../../protocol/index.js';

test('comment stripping keeps // inside strings', () => {
  const text = '// header\n{ "a": "http://x", // trailing\n "b": "q\\"//" }';
  assert.deepEqual(JSON.parse(stripComments(text)), { a: 'http://x', b: 'q"//' });
});

test('version ranges', () => {
  assert.deepEqual(parseRange('3+'), { min: 3, max: OPEN });
  assert.deepEqual(parseRange('0-7'), { min: 0, max: 7 });
  assert.deepEqual(parseRange('5'), { min: 5, max: 5 });
  assert.equal(parseRange('none'), null);
  assert.equal(parseRange(undefined), null);
  assert.throws(() => parseRange('x'));
});

test('parser rejects unknown struct types', () => {
  const bad =
    '{ "type": "request", "name": "XRequest", "validVersions": "0", "fields": [ { "name": "A", "type": "[]Missing", "versions": "0+" } ] }';
  assert.throws(() => parseMessage('X.json', bad), /unknown type/);
});

test('committed protocol/generated matches the generator output (like --check)', () => {
  const { changed, stale } = diffAgainst(generatedDir(), generate());
  assert.deepEqual({ changed, stale }, { changed: [], stale: [] });
});

test('api key table: names, versions, flexible versions, listeners', () => {
  const byName = new Map(apiKeyTable.map((a) => [a.name, a]));
  assert.equal(ApiKey.Produce, 0);
  assert.equal(ApiKey.ApiVersions, 18);
  const produce = byName.get('Produce')!;
  assert.equal(produce.minVersion, 3);
  assert.equal(produce.flexibleFrom, 9);
  assert.deepEqual(produce.listeners, ['broker']);
  assert.ok(byName.get('BrokerRegistration')!.listeners.includes('controller'));
  assert.ok(!byName.get('BrokerRegistration')!.listeners.includes('broker'));
  assert.equal(byName.get('LeaderAndIsr')!.removed, true);
  // entity metadata for the authorizer
  const topicPaths = entityFields[ApiKey.Produce]!.request.filter((e) => e.entityType === 'topicName');
  assert.deepEqual(
    topicPaths.map((e) => e.path),
    ['topicData[].name'],
  );
  assert.ok(entityFields[ApiKey.Produce]!.request.some((e) => e.entityType === 'transactionalId'));
});

test('collectEntities finds topic names and transactional ids in a decoded Produce request', () => {
  const body = decodeRequest(
    ApiKey.Produce,
    9,
    encodeRequest(ApiKey.Produce, 9, {
      transactionalId: 'tx-1',
      acks: -1,
      timeoutMs: 1000,
      topicData: [
        { name: 'orders', topicId: ZERO_UUID, partitionData: [{ index: 0, records: null }] },
        { name: 'payments', topicId: ZERO_UUID, partitionData: [] },
      ],
    }),
  );
  assert.deepEqual(
    collectEntities(ApiKey.Produce, 'request', 9, body).map((e) => `${e.entityType}=${String(e.value)}`),
    ['transactionalId=tx-1', 'topicName=orders', 'topicName=payments'],
  );
});
