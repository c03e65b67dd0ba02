/**
 * "Does the cluster answer?" — each expected node is asked for metadata on its own port and must
 * list itself. Asking only the bootstrap list is not enough: a node killed moments ago is still
 * listed by the others until its broker session times out.
 */
import { Kafka, logLevel } from 'kafkajs';

export async function nodeAnswers(address: string, nodeId: number): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'kgw-readiness',
    brokers: [address],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    return brokers.some((b) => b.nodeId === nodeId);
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function nodesAnswer(nodes: { address: string; nodeId: number }[]): Promise<boolean> {
  const answers = await Promise.all(nodes.map((n) => nodeAnswers(n.address, n.nodeId)));
  return answers.every(Boolean);
}
