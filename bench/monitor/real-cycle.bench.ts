/**
 * One monitor collection cycle against a real cluster: creates T topics × P partitions and G groups
 * (committed by real consumers) once, then times monitor cycles (admin calls + computation).
 *
 *   node dist/bench/monitor/real-cycle.bench.js <bootstrap> [topics=50] [partitions=4] [groups=10] [cycles=5]
 */
import { Kafka, logLevel } from 'kafkajs';
import { monitorConfigSchema } from '../../monitor/config.js';
import { Monitor } from '../../monitor/monitor.js';
import { mapLimit } from '../../monitor/util.js';

const [bootstrap = '127.0.0.1:19092', t = '50', p = '4', g = '10', c = '5'] = process.argv.slice(2);
const [topics, partitions, groups, cycles] = [Number(t), Number(p), Number(g), Number(c)];
const prefix = `bench-${Date.now().toString(36)}`;
const kafka = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const names = Array.from({ length: topics }, (_, i) => `${prefix}-t${i}`);
await admin.createTopics({
  topics: names.map((topic) => ({ topic, numPartitions: partitions })),
  waitForLeaders: true,
});
const producer = kafka.producer();
await producer.connect();
await producer.sendBatch({
  topicMessages: names.map((topic) => ({
    topic,
    messages: Array.from({ length: partitions * 10 }, (_, i) => ({ partition: i % partitions, value: 'x' })),
  })),
});
await producer.disconnect();
// Each group consumes half of every partition with a real consumer, which commits on the way out.
await mapLimit(
  Array.from({ length: groups }, (_, i) => `${prefix}-g${i}`),
  2,
  async (groupId) => {
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: names, fromBeginning: true });
    let seen = 0;
    const want = topics * partitions * 5;
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommitInterval: 500,
        eachMessage: async ({ message }) => {
          if (Number(message.offset) >= 5) return;
          if (++seen === want) resolve();
        },
      });
    });
    await consumer.disconnect();
  },
);
const monitor = new Monitor(
  monitorConfigSchema.parse({
    clusters: [{ name: 'bench', bootstrap }],
    listen: { port: 0 },
    groups: { include: [`^${prefix}`] },
    collection: { intervalSeconds: 30, deadlineSeconds: 60 },
  }),
);
console.log(
  `${topics} topics × ${partitions} partitions, ${groups} groups → ${topics * partitions * groups} group-partitions`,
);
for (let i = 0; i < cycles; i++) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const ok = await monitor.cycle('bench');
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const lags = monitor.view('bench')?.lags ?? [];
  console.log(
    `cycle ${i}: ${ok ? 'ok' : 'failed'} ${ms.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, ${lags.length} groups, ${lags.reduce((n, l) => n + l.partitions.length, 0)} group-partitions`,
  );
}
await monitor.stop();
await admin.deleteTopics({ topics: names });
await admin.disconnect();
