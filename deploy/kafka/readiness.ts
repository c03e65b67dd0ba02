/**
 * "Does the cluster answer?" — each expected node is asked for metadata on its own port and must
 * list itself. Asking only the bootstrap list is not enough: a node killed moments ago is still
 * listed by the others until its broker session times out.
 *
 * Nothing connects before the port is listening (read from /proc/net/tcp): a connection attempt to
 * a closed port can, by Linux's TCP simultaneous open, connect to itself and hold the very port the
 * starting broker is about to bind.
 */
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';

const LISTEN = '0A';

/** True when some socket on this machine listens on the TCP port (IPv4 or IPv6). */
export function isListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      return true; // not Linux: fall back to trying the connection
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === LISTEN && f[1]?.endsWith(`:${hexPort}`)) return true;
    }
  }
  return false;
}

export async function nodeAnswers(address: string, nodeId: number): Promise<boolean> {
  if (!isListening(Number(address.slice(address.lastIndexOf(':') + 1)))) return false;
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
