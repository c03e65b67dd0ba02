/**
 * Loss made visible: source records deleted (DeleteRecords, as retention would) while the mirror was
 * paused and had not copied them, and a source topic deleted and created again under the mirror or
 * while it was down (told by the topic id stored with its positions).
 * The mirror must say so (REST status `data_loss`, an error log line, the metrics the
 * MirrorSourceDataLost alert reads) and keep copying what is there, not move on silently.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uniqueName } from '../../harness/index.js';
import {
  EAST,
  WEST,
  createTopic,
  endOffsets,
  kafka,
  killAllMirrors,
  mm2Properties,
  produceNumbered,
  readAll,
  startMirror,
  topicExists,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';
import { explainedBy, tool } from './kafka-tools.js';

interface Status {
  connector: { state: string };
  data_loss?: { topic: string; partition: number; reason: string; from: string; to: string; lost: string }[];
}

describe('source data lost before it was mirrored is reported', () => {
  const topic = uniqueName('mt-loss');
  const name = encodeURIComponent('east->west.MirrorSourceConnector');
  let mirror: MirrorProcess;

  before(async () => {
    await createTopic(EAST(), topic, 1);
    mirror = await startMirror(
      writeConfig('loss.properties', mm2Properties({ 'east->west.enabled': 'true', topics: topic })),
    );
  });
  after(async () => {
    await mirror?.stop();
    killAllMirrors();
  });

  const status = async (): Promise<Status> =>
    (await mirror.rest('GET', `/connectors/${name}/status`)).body as Status;

  test('records deleted while the mirror was paused: the range is reported and counted, the rest copied', async () => {
    await produceNumbered(EAST(), topic, 'a', 50);
    await waitFor('first 50 on west', async () =>
      (await endOffsets(WEST(), `east.${topic}`).catch(() => new Map())).get(0) === 50 ? true : undefined,
    );
    assert.equal((await mirror.rest('PUT', `/connectors/${name}/pause`)).status, 202);
    await new Promise((r) => setTimeout(r, 1500)); // the paused task commits and stops fetching
    await produceNumbered(EAST(), topic, 'b', 100, 50); // offsets 50..149, not copied
    const admin = kafka(EAST()).admin();
    await admin.connect();
    try {
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '120' }] });
    } finally {
      await admin.disconnect();
    }
    assert.equal((await mirror.rest('PUT', `/connectors/${name}/resume`)).status, 202);

    const loss = await explainedBy(mirror.output, () =>
      waitFor('data_loss in the REST status', async () => (await status()).data_loss?.[0]),
    );
    assert.deepEqual(loss, {
      ...loss,
      topic,
      partition: 0,
      reason: 'records_removed',
      from: '50',
      to: '120',
      lost: '70',
    });
    assert.equal((await status()).connector.state, 'RUNNING');
    assert.match(mirror.output(), /source records 50\.\.119 were removed before the mirror copied them/);
    const metrics = await (await fetch(`http://127.0.0.1:${mirror.port}/metrics`)).text();
    const labels = `source="east",target="west",topic="${topic}",partition="0"`;
    assert.match(metrics, new RegExp(`kgw_mirror_source_records_lost_total\\{${labels}\\} 70`));
    assert.match(
      metrics,
      new RegExp(`kgw_mirror_source_offset_resets_total\\{${labels},reason="records_removed"\\} 1`),
    );
    await waitFor('the records left copied', async () =>
      (await endOffsets(WEST(), `east.${topic}`)).get(0) === 80 ? true : undefined,
    );
    const values = (await readAll(WEST(), `east.${topic}`)).map((r) => r.value);
    assert.deepEqual(values, [
      ...Array.from({ length: 50 }, (_, i) => `a-${i}`),
      ...Array.from({ length: 30 }, (_, i) => `b-${120 + i}`),
    ]);
  });

  test('a source topic deleted and created again under the running mirror is reported and copied anew', async () => {
    await tool('topics', ['--bootstrap-server', EAST(), '--delete', '--topic', topic]);
    await waitFor('topic gone', async () => ((await topicExists(EAST(), topic)) ? undefined : true));
    await createTopic(EAST(), topic, 1);
    await produceNumbered(EAST(), topic, 'c', 10);
    const event = await explainedBy(mirror.output, () =>
      waitFor('a second data_loss event', async () => (await status()).data_loss?.[1]),
    );
    assert.ok(['topic_recreated', 'offsets_went_backwards'].includes(event.reason), event.reason);
    assert.equal(event.from, '150');
    assert.equal(event.to, '0');
    await waitFor('the new topic’s records on west', async () =>
      (await endOffsets(WEST(), `east.${topic}`)).get(0) === 90 ? true : undefined,
    );
    const values = (await readAll(WEST(), `east.${topic}`)).map((r) => r.value);
    assert.deepEqual(
      values.slice(80),
      Array.from({ length: 10 }, (_, i) => `c-${i}`),
    );
  });

  test('a source topic re-created while the mirror was down, already past its stored position, is reported and copied from its start', async () => {
    await mirror.stop(); // the stored position is 10, with the topic's id
    await tool('topics', ['--bootstrap-server', EAST(), '--delete', '--topic', topic]);
    await waitFor('topic gone', async () => ((await topicExists(EAST(), topic)) ? undefined : true));
    await createTopic(EAST(), topic, 1);
    await produceNumbered(EAST(), topic, 'd', 30); // more than 10: no offset error would tell
    mirror = await startMirror(
      writeConfig('loss.properties', mm2Properties({ 'east->west.enabled': 'true', topics: topic })),
    );
    const event = await explainedBy(mirror.output, () =>
      waitFor('data_loss after the restart', async () => (await status()).data_loss?.[0]),
    );
    assert.deepEqual(event, {
      ...event,
      topic,
      partition: 0,
      reason: 'topic_recreated',
      from: '10',
      to: '0',
    });
    await waitFor('the re-created topic’s records on west', async () =>
      (await endOffsets(WEST(), `east.${topic}`)).get(0) === 120 ? true : undefined,
    );
    const values = (await readAll(WEST(), `east.${topic}`)).map((r) => r.value);
    assert.deepEqual(
      values.slice(90),
      Array.from({ length: 30 }, (_, i) => `d-${i}`),
      'every record of the new topic, none skipped',
    );
  });
});
