/**
 * A three-node upstream whose partition leader is killed (kill -9) mid-stream: clients going
 * through the gateway follow the new leader (the gateway rewrites the new metadata and KIP-951
 * endpoints) and no acknowledged record is lost. The killed node then comes back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import kafkajs from 'kafkajs';
import { produceThroughFailure } from '../../harness/durability.js';
import {
  createTopicsWithLeaders,
  partitionLeader,
  startPrivateCluster,
  uniqueName,
  type PrivateCluster,
} from '../../harness/index.js';
import { kafkajsSecurity, startTestGateway, type TestGateway } from '../../harness/gateway.js';

const { Kafka, logLevel } = kafkajs;
const ALICE = { name: 'alice', password: 'alice-pw' };
let cluster: PrivateCluster;
let gw: TestGateway;

before(async () => {
  cluster = await startPrivateCluster('gwtriple', {
    nodes: 3,
    basePort: 23092 + Number(process.env.KGW_PORT_OFFSET ?? 0) / 10,
    heapMb: 384,
    overrides: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' },
  });
  gw = await startTestGateway({ upstream: cluster.bootstrap, users: [ALICE] });
});
after(async () => {
  await gw?.close();
  await cluster?.stop();
});

test(
  'leader killed mid-stream: clients recover through the gateway, no acknowledged record lost',
  { timeout: 240_000 },
  async () => {
    const kafka = new Kafka({
      brokers: [gw.bootstrap],
      logLevel: logLevel.NOTHING,
      ...kafkajsSecurity(gw, ALICE),
    });
    const direct = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const topic = uniqueName('gw-failover');
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsWithLeaders(admin, [
      {
        topic,
        numPartitions: 1,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      },
    ]);
    const directAdmin = direct.admin();
    await directAdmin.connect();
    const leaderOf = () => partitionLeader(directAdmin, topic);
    const leader = await leaderOf();

    const { acked, lost } = await produceThroughFailure(kafka, topic, {
      total: 1000,
      disruptAt: 200,
      disrupt: () => cluster.kill(leader),
    });
    assert.ok(
      acked.length > 500,
      `most sends acknowledged through the gateway after fail-over (${acked.length})`,
    );
    assert.notEqual(await leaderOf(), leader);
    assert.deepEqual(lost, [], 'acknowledged records missing');

    // The node returns; clients reach it again through its gateway port.
    await cluster.restart(leader);
    await admin.disconnect();
    await directAdmin.disconnect();
  },
);
