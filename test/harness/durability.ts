/**
 * The durability check shared by the fault tests: numbered records are produced one at a time with
 * acks=all while something fails (`disrupt` runs once, mid-stream); afterwards every record the
 * producer saw acknowledged must be readable. Unacknowledged records may be missing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { uniqueName } from './index.js';

export interface DurabilityResult {
  acked: number[];
  failed: number;
  /** Acknowledged records not found when reading the topic back. */
  lost: number[];
}

export async function produceThroughFailure(
  kafka: Kafka,
  topic: string,
  opts: { total: number; disruptAt: number; disrupt: () => Promise<void> },
): Promise<DurabilityResult> {
  const producer = kafka.producer({ retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  await producer.connect();
  const acked: number[] = [];
  let failed = 0;
  for (let i = 0; i < opts.total; i++) {
    if (i === opts.disruptAt) await opts.disrupt(); // mid-stream, no warning
    try {
      await producer.send({ topic, acks: -1, messages: [{ value: String(i) }] });
      acked.push(i);
    } catch {
      failed++; // not acknowledged: allowed to be missing
    }
  }
  await producer.disconnect();

  const seen = new Set<number>();
  const consumer = kafka.consumer({ groupId: uniqueName('durability-check') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => void seen.add(Number(message.value!.toString())),
  });
  const deadline = Date.now() + 60_000;
  while (acked.some((i) => !seen.has(i)) && Date.now() < deadline) await sleep(250);
  await consumer.disconnect();
  return { acked, failed, lost: acked.filter((i) => !seen.has(i)) };
}
