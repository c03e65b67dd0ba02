/**
 * Shared pieces of the encryption integration tests: keyring files, the gateway's `encryption:`
 * YAML, and reading what the broker really stored — the partition's `.log` segment files under the
 * cluster's data directory (${KGW_HOME}/clusters/<name>/node-<id>/data/<topic>-<partition>/).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterDir } from '../../../deploy/kafka/cluster.js';
import { decodeRecords, type KafkaRecord, type RecordBatch } from '../../../protocol/index.js';
import { emptyKeyring, rotateKek, writeKeyringFile, type Keyring } from '../../../security/kms/index.js';

export const workDir = mkdtempSync(join(tmpdir(), 'kgw-enc-it-'));

/** A keyring file (mode 0600) with version 1 of each KEK. */
export function keyringWith(name: string, keks: string[]): string {
  let ring: Keyring = emptyKeyring();
  for (const k of keks) ring = rotateKek(ring, k, new Date()).ring;
  const file = join(workDir, name);
  writeKeyringFile(file, ring);
  return file;
}

/** The raw bytes of every segment (.log) file of a topic's partitions, on every node. */
export function segmentFiles(cluster: string, topic: string): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  const root = clusterDir(cluster);
  for (const node of readdirSync(root).filter((n) => n.startsWith('node-'))) {
    const data = join(root, node, 'data');
    if (!existsSync(data)) continue;
    for (const dir of readdirSync(data).filter((d) => d.startsWith(`${topic}-`) && /-\d+$/.test(d))) {
      if (dir.slice(topic.length + 1).includes('-')) continue; // another topic sharing the prefix
      for (const f of readdirSync(join(data, dir)).filter((f) => f.endsWith('.log')))
        out.push({ path: join(data, dir, f), bytes: readFileSync(join(data, dir, f)) });
    }
  }
  return out;
}

/** The batches the broker stored for a topic, decoded (decompressed) from its segment files. */
export async function storedBatches(cluster: string, topic: string): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for (const f of segmentFiles(cluster, topic)) {
    const { batches: bs } = await decodeRecords(f.bytes);
    for (const b of bs) if ('records' in b) batches.push(b);
  }
  return batches;
}

export async function storedRecords(cluster: string, topic: string): Promise<KafkaRecord[]> {
  return (await storedBatches(cluster, topic)).flatMap((b) => b.records);
}

/** Every place plaintext could hide in a stored record: raw segment bytes and decompressed fields. */
export async function findPlaintext(cluster: string, topic: string, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const f of segmentFiles(cluster, topic))
    for (const n of needles) if (f.bytes.includes(Buffer.from(n))) found.push(`${n} in ${f.path}`);
  for (const r of await storedRecords(cluster, topic)) {
    const fields = [r.value, ...r.headers.flatMap((h) => [Buffer.from(h.key), h.value])];
    for (const n of needles)
      if (fields.some((b) => b?.includes(Buffer.from(n)))) found.push(`${n} in a decompressed record`);
  }
  return found;
}

export const lines = (s: string): string[] => s.split('\n').filter(Boolean);
