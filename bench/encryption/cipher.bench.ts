/**
 * CPU cost of record encryption in the gateway process alone (no broker, no network): partition
 * records of uncompressed batches encrypted and decrypted as the gateway does it, against the
 * floor every byte pays anyway once a response is decoded — decoding and re-encoding the same
 * batches (CRC-32C both ways). One core, same process, paths taking turns. Each AES-GCM engine is
 * measured: the native batch binding (security/encryption/native, when built) and Node's crypto API.
 *
 *   npm run build && node dist/bench/encryption/cipher.bench.js [--mb 64] [--rounds 5]
 */
import { DataKeys } from '../../gateway/encryption/data-keys.js';
import { decryptRecords, encryptRecords } from '../../gateway/encryption/record-batches.js';
import { decodeRecordBatch, encodeRecordBatch, scanBatches } from '../../protocol/index.js';
import { jsGcm, nativeGcmEngine, selectGcmEngine, type GcmEngine } from '../../security/encryption/index.js';
import { KeyringKms, emptyKeyring, rotateKek } from '../../security/kms/index.js';
import { append, median } from '../gateway/stats.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const totalMb = arg('mb', 64);
const rounds = arg('rounds', 5);

const ring = rotateKek(emptyKeyring(), 'bench', new Date()).ring;
const keys = new DataKeys(
  new KeyringKms(() => ring, 'bench ring'),
  { maxRecords: 2 ** 32, maxAgeMs: 3_600_000 },
  16,
);
const policy = { kek: 'bench', encryptHeaders: false, decryptFor: undefined };

/** A records field of ~1 MiB: batches of ~64 KiB (the producer's batch.size in bench/gateway). */
async function field(recordSize: number): Promise<Buffer> {
  const perBatch = Math.max(1, Math.floor(65536 / recordSize));
  const value = Buffer.alloc(recordSize, 'x');
  const batches: Buffer[] = [];
  for (let offset = 0; batches.length * perBatch * recordSize < 1 << 20; offset += perBatch) {
    batches.push(
      await encodeRecordBatch({
        baseOffset: BigInt(offset),
        partitionLeaderEpoch: 0,
        attributes: 0,
        baseTimestamp: 0n,
        maxTimestamp: 0n,
        producerId: -1n,
        producerEpoch: -1,
        baseSequence: -1,
        records: Array.from({ length: perBatch }, (_, i) => ({
          attributes: 0,
          timestampDelta: 0,
          offsetDelta: i,
          key: null,
          value,
          headers: [],
        })),
      }),
    );
  }
  return Buffer.concat(batches);
}

async function reencode(records: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  for (const b of scanBatches(records).batches)
    out.push(await encodeRecordBatch(await decodeRecordBatch(b.bytes)));
  return Buffer.concat(out);
}

async function mbPerSec(bytes: number, run: () => Promise<unknown>): Promise<number> {
  const times = Math.max(1, Math.round((totalMb * 1048576) / bytes));
  const start = process.hrtime.bigint();
  for (let i = 0; i < times; i++) await run();
  return (times * bytes) / 1048576 / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function main(): Promise<void> {
  const native = nativeGcmEngine();
  if (native instanceof Error) console.error(`[bench] ${native.message}: Node crypto engine only`);
  const engines: GcmEngine[] = native instanceof Error ? [jsGcm] : [native, jsGcm];
  console.log(
    `| record size | engine | decode+re-encode MB/s | encrypt MB/s | decrypt MB/s | encrypt / floor | decrypt / floor |`,
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const size of [100, 1024, 10240]) {
    const plain = await field(size);
    const floor: number[] = [];
    const enc = new Map<string, number[]>();
    const dec = new Map<string, number[]>();
    const sealed = (await encryptRecords(plain, policy, keys))!;
    for (const e of engines) {
      selectGcmEngine(e.kind);
      await mbPerSec(plain.length, () => decryptRecords(sealed, keys)); // warm-up
    }
    for (let r = 0; r < rounds; r++) {
      floor.push(await mbPerSec(plain.length, () => reencode(plain)));
      for (const e of engines) {
        selectGcmEngine(e.kind);
        append(enc, e.kind, await mbPerSec(plain.length, () => encryptRecords(plain, policy, keys)));
        append(dec, e.kind, await mbPerSec(plain.length, () => decryptRecords(sealed, keys)));
      }
    }
    for (const e of engines) {
      const ratio = (xs: number[]): string => median(xs.map((x, i) => x / floor[i]!)).toFixed(2);
      const [en, de] = [enc.get(e.kind)!, dec.get(e.kind)!];
      console.log(
        `| ${size} B | ${e.kind} | ${median(floor).toFixed(0)} | ${median(en).toFixed(0)} | ${median(de).toFixed(0)} | ${ratio(en)}x | ${ratio(de)}x |`,
      );
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
