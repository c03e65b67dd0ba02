/**
 * sync.group.offsets.enabled with real groups on the target: translated offsets go only into target
 * groups without active members, and never move a target group backwards. A control group with no
 * members on the target shows each time that the mirror did translate and sync meanwhile, so the
 * "left alone" assertions cannot pass merely because the mirror had not got round to it yet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Consumer } from 'kafkajs';
import { uniqueName } from '../../harness/index.js';
import {
  EAST,
  WEST,
  endOffsets,
  kafka,
  killAllMirrors,
  mm2Properties,
  startMirror,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';
import { explainedBy } from './kafka-tools.js';

const base = uniqueName('mg-os');
const topic = `${base}-t`;
const remote = `east.${topic}`;
const idleTopic = `${base}-idle`;
const PER_PARTITION = 60;
const PARTITIONS = [0, 1];

type Offsets = Map<number, number>;

async function createTopic(bootstrap: string, name: string, partitions: number): Promise<void> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: false, topics: [{ topic: name, numPartitions: partitions }] });
  } finally {
    await admin.disconnect();
  }
  await waitFor(`${name} with leaders`, async () =>
    (await endOffsets(bootstrap, name)).size === partitions ? true : undefined,
  );
}

async function committed(bootstrap: string, group: string, t: string): Promise<Offsets> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [t] });
    return new Map(offsets!.partitions.map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** Commits offsets for a group with no members (what kafka-consumer-groups --reset-offsets does). */
async function setOffsets(bootstrap: string, group: string, t: string, offsets: Offsets): Promise<void> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId: group,
      topic: t,
      partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) })),
    });
  } finally {
    await admin.disconnect();
  }
}

async function groupState(bootstrap: string, group: string): Promise<{ state: string; members: number }> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    return { state: groups[0]!.state, members: groups[0]!.members.length };
  } finally {
    await admin.disconnect();
  }
}

const same = (a: Offsets, b: Offsets): boolean =>
  a.size === b.size && [...a].every(([p, o]) => b.get(p) === o);
const show = (m: Offsets): string => JSON.stringify(Object.fromEntries(m));
const constant = (n: number): Offsets => new Map(PARTITIONS.map((p) => [p, n]));

describe('mirror group offset sync (sync.group.offsets.enabled)', () => {
  let mirror: MirrorProcess;
  let member: Consumer | undefined;
  let westEnds: Offsets;
  const mirrorTest = (name: string, fn: () => Promise<void>): void => {
    test(name, () => explainedBy(() => mirror.output(), fn));
  };

  /** Waits until a target group holds exactly `want` for the remote topic. */
  const waitForTarget = (group: string, want: Offsets, why: string): Promise<true> =>
    waitFor(`${why}: ${group} on west at ${show(want)}`, async () =>
      same(await committed(WEST(), group, remote), want) ? true : undefined,
    );

  before(async () => {
    await createTopic(EAST(), topic, PARTITIONS.length);
    await createTopic(WEST(), idleTopic, 1);
    const producer = kafka(EAST()).producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: PARTITIONS.flatMap((partition) =>
        Array.from({ length: PER_PARTITION }, (_, i) => ({ partition, key: `k${i}`, value: `v${i}` })),
      ),
    });
    await producer.disconnect();
    mirror = await startMirror(
      writeConfig(
        'group-sync.properties',
        mm2Properties({
          'east->west.enabled': 'true',
          topics: topic,
          groups: `${base}-.*`,
          'sync.group.offsets.enabled': 'true',
          'sync.group.offsets.interval.seconds': '1',
        }),
      ),
    );
    westEnds = await explainedBy(
      () => mirror.output(),
      () =>
        waitFor(`${remote} on west caught up`, async () => {
          const e = await endOffsets(WEST(), remote);
          return same(e, constant(PER_PARTITION)) ? e : undefined;
        }),
    );
  });
  after(async () => {
    await member?.disconnect().catch(() => undefined);
    await mirror?.stop();
    killAllMirrors();
  });

  mirrorTest('a target group with an active member keeps its offsets until the member leaves', async () => {
    const active = `${base}-active`;
    const control = `${base}-control-1`;
    // The target group exists with its own offsets and a live member (subscribed to another topic,
    // so the member itself commits nothing for the mirrored topic).
    await setOffsets(WEST(), active, remote, constant(3));
    member = kafka(WEST()).consumer({ groupId: active, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await member.connect();
    await member.subscribe({ topics: [idleTopic] });
    await member.run({ eachMessage: async () => undefined });
    await waitFor(`${active} Stable on west`, async () => {
      const g = await groupState(WEST(), active);
      return g.state === 'Stable' && g.members === 1 ? true : undefined;
    });

    // The same group consumes the topic on the source and commits everything; so does the control.
    const sourceConsumer = kafka(EAST()).consumer({ groupId: active });
    await sourceConsumer.connect();
    await sourceConsumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve) => {
      void sourceConsumer.run({
        eachMessage: async () => {
          if (++seen === PER_PARTITION * PARTITIONS.length) resolve();
        },
      });
    });
    await sourceConsumer.disconnect(); // commits what it consumed
    assert.ok(
      same(await committed(EAST(), active, topic), constant(PER_PARTITION)),
      'source group at the end',
    );
    await setOffsets(EAST(), control, topic, constant(PER_PARTITION));

    // The mirror translates both; only the member-less control group is written on the target.
    await waitForTarget(control, westEnds, 'control group synced');
    await new Promise((r) => setTimeout(r, 3000)); // three more sync rounds
    assert.equal((await groupState(WEST(), active)).state, 'Stable', 'member still active');
    const held = await committed(WEST(), active, remote);
    assert.ok(same(held, constant(3)), `active target group left alone, got ${show(held)}`);

    // The member leaves: the group is Empty and now receives the translated offsets.
    await member.disconnect();
    member = undefined;
    await waitForTarget(active, westEnds, 'group synced once empty');
  });

  mirrorTest('a target group ahead of the translation is never moved backwards', async () => {
    const ahead = `${base}-ahead`;
    const control = `${base}-control-2`;
    await setOffsets(WEST(), ahead, remote, constant(40));
    await setOffsets(EAST(), ahead, topic, constant(10)); // translates to at most 11 < 40
    await setOffsets(EAST(), control, topic, constant(10));
    const controlSynced = await waitFor('control group synced to the translation of 10', async () => {
      const c = await committed(WEST(), control, remote);
      return [...c.values()].every((o) => o >= 0 && o <= 11) && c.size === PARTITIONS.length ? c : undefined;
    });
    assert.ok(
      [...controlSynced.values()].every((o) => o < 40),
      'the translation is behind the target group',
    );
    await new Promise((r) => setTimeout(r, 3000));
    const held = await committed(WEST(), ahead, remote);
    assert.ok(same(held, constant(40)), `target group not moved backwards, got ${show(held)}`);

    // Forwards is fine: the source group reaches the end, the target group follows.
    await setOffsets(EAST(), ahead, topic, constant(PER_PARTITION));
    await waitForTarget(ahead, westEnds, 'group moved forward');
  });
});
