/**
 * east↔west with MM2's DefaultReplicationPolicy, one mirror process running both flows: content,
 * partitions, order and provenance preserved; no echo; checkpoints and heartbeats read back by Apache
 * Kafka's own RemoteClusterUtils / MirrorClient; group offsets synced; REST pause/resume/restart;
 * metrics; a bad mm2.properties rejected with file, line, key and value.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { kafkaLibs } from '../../../deploy/kafka/runtime.js';
import { uniqueName } from '../../harness/index.js';
import {
  EAST,
  WEST,
  createTopic,
  killAllMirrors,
  distRoot,
  endOffsets,
  kafka,
  mm2Properties,
  produceNumbered,
  readAll,
  startMirror,
  tmp,
  topicExists,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';

const sum = (m: Map<number, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

describe('mirror active-active (DefaultReplicationPolicy)', () => {
  const topic = uniqueName('mt-aa');
  const group = uniqueName('mg-aa');
  let mirror: MirrorProcess;

  before(async () => {
    await Promise.all([createTopic(EAST(), topic, 3), createTopic(WEST(), topic, 3)]);
    const config = writeConfig(
      'aa.properties',
      mm2Properties({
        'east->west.enabled': 'true',
        'west->east.enabled': 'true',
        topics: topic,
        groups: 'mg-aa-.*',
        'sync.group.offsets.enabled': 'true',
        'sync.group.offsets.interval.seconds': '1',
      }),
    );
    mirror = await startMirror(config);
  });
  after(async () => {
    await mirror?.stop();
    killAllMirrors();
  });

  test('both directions replicate content, partition, order and provenance, without echo', async () => {
    await Promise.all([produceNumbered(EAST(), topic, 'e', 300), produceNumbered(WEST(), topic, 'w', 300)]);
    await waitFor('east.<topic> on west', async () =>
      (await topicExists(WEST(), `east.${topic}`)) && sum(await endOffsets(WEST(), `east.${topic}`)) >= 300
        ? true
        : undefined,
    );
    await waitFor('west.<topic> on east', async () =>
      (await topicExists(EAST(), `west.${topic}`)) && sum(await endOffsets(EAST(), `west.${topic}`)) >= 300
        ? true
        : undefined,
    );

    for (const [src, dst, origin] of [
      [EAST(), WEST(), 'east'],
      [WEST(), EAST(), 'west'],
    ] as const) {
      const source = await readAll(src, topic);
      const target = await readAll(dst, `${origin}.${topic}`);
      assert.equal(target.length, source.length, `${origin}: every record once`);
      for (const p of [0, 1, 2]) {
        const s = source.filter((r) => r.partition === p);
        const t = target.filter((r) => r.partition === p);
        assert.deepEqual(
          t.map((r) => [r.key, r.value]),
          s.map((r) => [r.key, r.value]),
          `partition ${p}: same records, same order`,
        );
        for (let i = 0; i < t.length; i++) {
          const h = t[i]!.headers;
          assert.match(h, new RegExp(`seq=${s[i]!.value.slice(2)}`), 'original headers kept');
          assert.match(h, new RegExp(`kgw\\.origin\\.cluster=${origin}`));
          assert.match(h, new RegExp(`kgw\\.origin\\.topic=${topic}`));
          assert.match(h, new RegExp(`kgw\\.origin\\.partition=${p}`));
          assert.match(h, new RegExp(`kgw\\.origin\\.offset=${s[i]!.offset}(,|$)`));
          assert.match(h, new RegExp(`kgw\\.path=${origin}(,|$)`));
        }
      }
    }
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await topicExists(EAST(), `east.west.${topic}`), false, 'no echo back to east');
    assert.equal(await topicExists(WEST(), `west.east.${topic}`), false, 'no echo back to west');
    assert.equal(sum(await endOffsets(EAST(), topic)), 300);
    assert.equal(sum(await endOffsets(WEST(), topic)), 300);
  });

  test("checkpoints and heartbeats are read by Apache Kafka's RemoteClusterUtils and MirrorClient; group offsets synced", async () => {
    // A consumer group on east reads everything and commits.
    const consumer = kafka(EAST()).consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async () => {
          if (++seen === 300) resolve();
        },
      });
    });
    await consumer.commitOffsets([]).catch(() => undefined);
    await consumer.disconnect();
    const upstreamEnds = await endOffsets(EAST(), topic);
    const downstreamEnds = await endOffsets(WEST(), `east.${topic}`);

    const classes = join(tmp, 'java');
    mkdirSync(classes, { recursive: true });
    const libs = `${kafkaLibs()}/*`;
    execFileSync('javac', ['-cp', libs, '-d', classes, join(distRoot, '../test/java/mirror/Mm2Check.java')]);
    const check = (): string =>
      spawnSync('java', ['-cp', `${libs}:${classes}`, 'Mm2Check', WEST(), 'east', group], {
        encoding: 'utf8',
        timeout: 60_000,
      }).stdout;

    const out = await waitFor('translated offsets for every partition', async () => {
      const o = check();
      const lines = o.split('\n').filter((l) => l.startsWith(`checkpoint ${group} east.${topic} `));
      const ok = [0, 1, 2].every((p) =>
        lines.includes(`checkpoint ${group} east.${topic} ${p} ${downstreamEnds.get(p)}`),
      );
      return ok ? o : undefined;
    });
    assert.ok([...upstreamEnds.values()].every((v) => v > 0));
    assert.match(out, /heartbeatTopics \[.*east\.heartbeats.*\]/);
    assert.match(out, /upstreamClusters \[east\]/);
    assert.match(out, /replicationHops 1/);

    // sync.group.offsets.enabled: the (memberless) group on west gets the translated offsets.
    await waitFor('group offsets on west', async () => {
      const admin = kafka(WEST()).admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchOffsets({ groupId: group, topics: [`east.${topic}`] });
        const got = offsets[0]!.partitions.map((p) => [p.partition, Number(p.offset)]);
        return got.every(([p, o]) => o === downstreamEnds.get(p!)) && got.length === 3 ? true : undefined;
      } finally {
        await admin.disconnect();
      }
    });
  });

  test('REST: list, status, pause, resume, restart, errors; metrics', async () => {
    const list = await mirror.rest('GET', '/connectors');
    assert.equal(list.status, 200);
    const names = list.body as string[];
    for (const flow of ['east->west', 'west->east'])
      for (const c of ['MirrorSourceConnector', 'MirrorCheckpointConnector', 'MirrorHeartbeatConnector'])
        assert.ok(names.includes(`${flow}.${c}`), `${flow}.${c} listed`);
    const name = encodeURIComponent('east->west.MirrorSourceConnector');
    const status = async (): Promise<{ connector: { state: string }; tasks: { state: string }[] }> =>
      (await mirror.rest('GET', `/connectors/${name}/status`)).body as {
        connector: { state: string };
        tasks: { state: string }[];
      };
    assert.equal((await status()).connector.state, 'RUNNING');
    const info = (await mirror.rest('GET', `/connectors/${name}`)).body as { config: Record<string, string> };
    assert.equal(info.config['connector.class'], 'org.apache.kafka.connect.mirror.MirrorSourceConnector');
    assert.equal(((await mirror.rest('GET', `/connectors/${name}/tasks`)).body as unknown[]).length, 1);

    assert.equal((await mirror.rest('PUT', `/connectors/${name}/pause`)).status, 202);
    assert.equal((await status()).connector.state, 'PAUSED');
    assert.equal((await status()).tasks[0]!.state, 'PAUSED');
    await produceNumbered(EAST(), topic, 'e', 50, 300);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(sum(await endOffsets(WEST(), `east.${topic}`)), 300, 'nothing replicated while paused');
    assert.equal((await mirror.rest('PUT', `/connectors/${name}/resume`)).status, 202);
    await waitFor('replication after resume', async () =>
      sum(await endOffsets(WEST(), `east.${topic}`)) === 350 ? true : undefined,
    );

    assert.equal((await mirror.rest('POST', `/connectors/${name}/restart`)).status, 204);
    assert.equal((await status()).connector.state, 'RUNNING');
    await produceNumbered(EAST(), topic, 'e', 10, 350);
    await waitFor('replication after restart', async () =>
      sum(await endOffsets(WEST(), `east.${topic}`)) === 360 ? true : undefined,
    );

    const missing = await mirror.rest('GET', '/connectors/nope/status');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error_code: 404, message: 'Connector nope not found' });

    const metrics = await (await fetch(`http://127.0.0.1:${mirror.port}/metrics`)).text();
    assert.match(
      metrics,
      new RegExp(
        `kafka_connect_mirror_mirrorsourceconnector_record_count\\{source="east",target="west",topic="${topic}",partition="\\d"\\} \\d+`,
      ),
    );
    assert.match(metrics, /kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_max\{/);
    assert.match(metrics, /kgw_mirror_replication_latency_seconds_bucket\{/);
    assert.match(
      metrics,
      /kafka_connect_mirror_mirrorcheckpointconnector_checkpoint_latency_ms\{source="east",target="west",group=/,
    );
    assert.match(metrics, /kgw_mirror_heartbeat_age_seconds\{source="east",target="west"\}/);
  });

  test('a bad mm2.properties is rejected naming file, line, key and value', () => {
    const file = writeConfig(
      'bad.properties',
      `${mm2Properties({})}\neast->west.emit.checkpoints.interval.seconds = soon\n`,
    );
    const r = spawnSync(process.execPath, [join(distRoot, 'cli/kgw.js'), 'mirror', '--config', file], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 2);
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findLastIndex((l) => l.startsWith('east->west.emit.checkpoints.interval.seconds')) + 1;
    assert.match(
      r.stderr,
      new RegExp(
        `bad\\.properties:${line}: east->west\\.emit\\.checkpoints\\.interval\\.seconds: expected an integer, got "soon"`,
      ),
    );
  });
});
