// The native data path's pure parts: the target batch the mirror builds (read back with the
// project's decoder, which checks the CRC), producer re-stamping, sequence wrap-around, and
// provenance on header lists agreeing with mirror/provenance.ts (the kafkajs-object version).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchBuilder, nextSequence, restamp } from '../../../mirror/kafka/batch-builder.js';
import { ProvenanceStamper } from '../../../mirror/kafka/record-headers.js';
import { hasVisited, withProvenance, type Headers } from '../../../mirror/provenance.js';
import { decodeRecordBatch, type RecordHeader } from '../../../protocol/records/batch.js';

const h = (key: string, value: string): RecordHeader => ({ key, value: Buffer.from(value) });

describe('BatchBuilder', () => {
  test('records, timestamps and producer fields survive a round trip through the decoder', async () => {
    const b = new BatchBuilder();
    b.add(1_700_000_000_500, Buffer.from('k1'), Buffer.from('v1'), [h('a', '1'), h('a', '2')]);
    b.add(1_700_000_000_100, null, Buffer.from('v2'), []); // earlier than the first: negative delta
    b.add(1_700_000_009_000, Buffer.from('k3'), null, [h('z', '')]);
    const bytes = await b.encode({ producerId: 42n, producerEpoch: 3, baseSequence: 7 });
    const batch = await decodeRecordBatch(bytes);
    assert.equal(batch.producerId, 42n);
    assert.equal(batch.producerEpoch, 3);
    assert.equal(batch.baseSequence, 7);
    assert.equal(batch.attributes, 0, 'uncompressed, CreateTime, not transactional');
    assert.equal(batch.lastOffsetDelta, 2);
    assert.equal(batch.baseTimestamp, 1_700_000_000_500n);
    assert.equal(batch.maxTimestamp, 1_700_000_009_000n);
    const times = batch.records.map((r) => Number(batch.baseTimestamp) + r.timestampDelta);
    assert.deepEqual(times, [1_700_000_000_500, 1_700_000_000_100, 1_700_000_009_000]);
    assert.deepEqual(
      batch.records.map((r) => [r.offsetDelta, r.key?.toString() ?? null, r.value?.toString() ?? null]),
      [
        [0, 'k1', 'v1'],
        [1, null, 'v2'],
        [2, 'k3', null],
      ],
    );
    assert.deepEqual(
      batch.records[0]!.headers.map((x) => [x.key, x.value?.toString()]),
      [
        ['a', '1'],
        ['a', '2'],
      ],
      'repeated header keys keep their order',
    );
  });

  test('restamp rewrites producer id, epoch and sequence with a valid CRC', async () => {
    const b = new BatchBuilder();
    b.add(1000, Buffer.from('k'), Buffer.from('v'), []);
    const bytes = await b.encode({ producerId: 1n, producerEpoch: 0, baseSequence: 99 });
    restamp(bytes, { producerId: 77n, producerEpoch: 5, baseSequence: 0 });
    const batch = await decodeRecordBatch(bytes); // verifies the CRC
    assert.deepEqual([batch.producerId, batch.producerEpoch, batch.baseSequence], [77n, 5, 0]);
    bytes.writeInt32BE(1, 53); // a change the CRC does not cover yet must be caught
    await assert.rejects(decodeRecordBatch(bytes), /CRC/);
  });

  test('sequences wrap at Int32.MAX_VALUE like Kafka', () => {
    assert.equal(nextSequence(5, 10), 15);
    assert.equal(nextSequence(0x7fffffff, 1), 0);
    assert.equal(nextSequence(0x7ffffffe, 5), 3);
  });
});

/** The header-object view of a header list, as kafkajs would present it. */
function asObject(list: readonly RecordHeader[]): Headers {
  const out: Headers = {};
  for (const { key, value } of list) {
    const v = value ?? Buffer.alloc(0);
    const prev = out[key];
    out[key] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  return out;
}

function text(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = (Array.isArray(v) ? v : [v]).map(String).join('|');
  }
  return out;
}

describe('ProvenanceStamper agrees with mirror/provenance.ts', () => {
  const cases: [string, RecordHeader[]][] = [
    ['no headers (first hop)', []],
    ['user headers only', [h('trace', 'x'), h('b', '2')]],
    [
      'mirrored before (origin kept, path grows)',
      [
        h('kgw.origin.cluster', 'west'),
        h('kgw.origin.topic', 'orders'),
        h('kgw.origin.partition', '3'),
        h('kgw.origin.offset', '12'),
        h('kgw.path', 'west'),
        h('u', '1'),
      ],
    ],
    ['path already ends with the source', [h('kgw.origin.cluster', 'east'), h('kgw.path', 'west,east')]],
    ['stray origin keys without a cluster are replaced', [h('kgw.origin.topic', 'bogus'), h('k', 'v')]],
    ['repeated path keeps the last', [h('kgw.path', 'x'), h('kgw.path', 'west')]],
  ];
  for (const [name, headers] of cases) {
    test(name, () => {
      const stamper = new ProvenanceStamper('east', 'north', 'orders', 5);
      const ours = stamper.stamp(headers, 1234n);
      const reference = withProvenance(asObject(headers), {
        cluster: 'east',
        topic: 'orders',
        partition: 5,
        offset: '1234',
      });
      assert.deepEqual(text(asObject(ours)), text(reference));
      const userKeys = headers.filter((x) => !x.key.startsWith('kgw.')).map((x) => x.key);
      assert.deepEqual(
        ours.filter((x) => !x.key.startsWith('kgw.')).map((x) => x.key),
        userKeys,
        'user headers keep their order',
      );
    });
  }

  test('echo check matches hasVisited', () => {
    const stamper = new ProvenanceStamper('east', 'west', 't', 0);
    for (const headers of [
      [],
      [h('kgw.path', 'west')],
      [h('kgw.path', 'north,east')],
      [h('kgw.path', 'a,west,b')],
    ]) {
      assert.equal(stamper.isEcho(headers), hasVisited(asObject(headers), 'west'), JSON.stringify(headers));
    }
    assert.equal(stamper.isEcho([h('kgw.path', 'west,east')]), true);
  });

  test('the path value is reused across records with the same path', () => {
    const stamper = new ProvenanceStamper('east', 'north', 't', 0);
    const a = stamper.stamp([h('kgw.origin.cluster', 'west'), h('kgw.path', 'west')], 1n);
    const b = stamper.stamp([h('kgw.origin.cluster', 'west'), h('kgw.path', 'west')], 2n);
    assert.equal(a.at(-1)!.value!.toString(), 'west,east');
    assert.equal(a.at(-1)!.value, b.at(-1)!.value);
  });
});
