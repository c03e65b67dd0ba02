/**
 * Codec fuzzing: generated and mutated frames through every decoder the gateway runs on bytes it
 * did not write — the frame reader (in random chunkings), request and response headers and bodies
 * of every API and version, and the record batches inside records fields. Oracles:
 *
 * - crash: anything thrown that is not a KafkaCodecError (a TypeError, RangeError, …): the gateway
 *   turns KafkaCodecError into "close that one connection", anything else is a bug;
 * - hang: one case running longer than `hangMs` (measured by a watchdog thread, see
 *   codec-fuzz-worker.ts, since a stuck decoder cannot time itself);
 * - round trip: a mutant that decodes must re-encode, and decode again to the same value.
 *
 * Every case is reproducible from (seed, index): see caseRng().
 */
import assert from 'node:assert/strict';
import {
  FrameReader,
  KafkaCodecError,
  RequestFrame,
  ResponseFrame,
  decodeRecords,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  isSupportedVersion,
  type MessageSchema,
  type RequestApiKey,
} from '../../protocol/index.js';
import {
  Rng,
  allTargets,
  generateFrame,
  recordBatchPool,
  type FrameTarget,
  type GeneratedFrame,
} from './corpus.js';
import { mutate, type Mutant } from './mutate.js';

export interface Finding {
  index: number;
  target: string;
  ops: string[];
  error: string;
  /** The mutant, hex (cut at 512 bytes). */
  hex: string;
}

export interface CodecFuzzReport {
  seed: number;
  cases: number;
  /** Mutants some decoder accepted whole, and ones every decoder rejected with KafkaCodecError. */
  decoded: number;
  rejected: number;
  /** Anything thrown that is not a KafkaCodecError. Must be 0. */
  crashes: number;
  /** Valid (unmutated) frames a decoder refused. Must be 0. */
  validRejected: number;
  /** Decoded bodies that did not re-encode to the same value. */
  roundTripMismatches: number;
  /** The first few of each, to reproduce. */
  findings: Finding[];
  slowestCaseMs: number;
  elapsedMs: number;
}

export interface CodecFuzzOptions {
  seed: number;
  /** Cases to run, from `from` (default 0). */
  cases: number;
  from?: number;
  /** Mutants drawn from each generated frame (default 16). */
  mutantsPerFrame?: number;
  /** Called with the index of the case about to run (the watchdog's heartbeat). */
  onCase?: (index: number) => void;
  /** Stop collecting details after this many findings (counts still grow). */
  maxFindings?: number;
}

/** The random stream of one case: independent of every other, so any case replays alone. */
export function caseRng(seed: number, index: number): Rng {
  return new Rng((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index, 0xc2b2ae35)) >>> 0);
}

const targets = allTargets();

/** The frame a case mutates: the same for all `mutantsPerFrame` cases of a block. */
function baseFrame(seed: number, block: number, batches: Buffer[]): GeneratedFrame {
  const rng = caseRng(seed ^ 0x5bd1e995, block);
  for (;;) {
    const target = targets[rng.int(0, targets.length - 1)]!;
    try {
      return generateFrame(target, rng, { batches });
    } catch (e) {
      // The random generator can produce values a version cannot carry (e.g. a too-long
      // string); draw another message.
      if (!(e instanceof KafkaCodecError)) throw e;
    }
  }
}

const describeTarget = (t: FrameTarget): string => `${t.api.name} ${t.kind} v${t.version}`;

export async function fuzzCodec(opts: CodecFuzzOptions): Promise<CodecFuzzReport> {
  const started = Date.now();
  const per = opts.mutantsPerFrame ?? 16;
  const maxFindings = opts.maxFindings ?? 20;
  const batches = await recordBatchPool(new Rng(opts.seed));
  const report: CodecFuzzReport = {
    seed: opts.seed,
    cases: 0,
    decoded: 0,
    rejected: 0,
    crashes: 0,
    validRejected: 0,
    roundTripMismatches: 0,
    findings: [],
    slowestCaseMs: 0,
    elapsedMs: 0,
  };
  let frame: GeneratedFrame | undefined;
  let block = -1;
  const from = opts.from ?? 0;
  for (let index = from; index < from + opts.cases; index++) {
    opts.onCase?.(index);
    if (Math.floor(index / per) !== block) {
      block = Math.floor(index / per);
      frame = baseFrame(opts.seed, block, batches);
    }
    const rng = caseRng(opts.seed, index);
    // One case in eight is the valid frame itself: the decoders must take every valid frame.
    const valid = rng.chance(0.125);
    const mutant: Mutant = valid
      ? { bytes: frame!.bytes, ops: ['valid'], framed: true }
      : mutate(frame!, rng);
    const note = (kind: string, error: string): void => {
      if (report.findings.length >= maxFindings) return;
      report.findings.push({
        index,
        target: `${kind}: ${describeTarget(frame!.target)}`,
        ops: mutant.ops,
        error,
        hex: mutant.bytes.subarray(0, 512).toString('hex'),
      });
    };
    const t0 = performance.now();
    try {
      const outcome = await decodeEverything(frame!, mutant, rng);
      if (outcome === 'decoded') report.decoded++;
      else report.rejected++;
      if (valid && outcome !== 'decoded') {
        report.validRejected++;
        note('valid frame rejected', '');
      }
    } catch (e) {
      if (e instanceof RoundTripMismatch) {
        report.roundTripMismatches++;
        note('round trip', e.message);
      } else {
        report.crashes++;
        note('crash', `${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    report.slowestCaseMs = Math.max(report.slowestCaseMs, performance.now() - t0);
    report.cases++;
  }
  report.elapsedMs = Date.now() - started;
  return report;
}

class RoundTripMismatch extends Error {}

/**
 * Runs the mutant through every decoder; returns whether the body decoded. Rethrows anything that
 * is not a KafkaCodecError (a crash) and throws RoundTripMismatch when a decoded body does not
 * survive re-encoding.
 */
async function decodeEverything(frame: GeneratedFrame, m: Mutant, rng: Rng): Promise<'decoded' | 'rejected'> {
  const { api, kind, version, schema } = frame.target;
  // 1. The frame reader, fed in random chunks, as sockets deliver them.
  const reader = new FrameReader({ maxFrameSize: 1 << 20 });
  try {
    for (let p = 0; p < m.bytes.length;) {
      const n = rng.int(1, Math.max(1, m.bytes.length - p));
      reader.push(m.bytes.subarray(p, p + n));
      p += n;
    }
  } catch (e) {
    if (!(e instanceof KafkaCodecError)) throw e;
  }
  if (m.bytes.length < 4) return 'rejected';
  const payload = m.bytes.subarray(4);
  // 2. Header and body, as the gateway parses them (RequestFrame/ResponseFrame), whatever the header says.
  let decoded = false;
  const key = api.apiKey as RequestApiKey;
  await codecOnly(async () => {
    if (kind === 'request') {
      const f = new RequestFrame(payload);
      if (isSupportedVersion(f.apiKey, f.apiVersion)) {
        const body = f.body(f.apiKey as RequestApiKey);
        if (f.apiKey === key && f.apiVersion === version) {
          await decodeRecordFields(schema, schema.root, body as unknown as Record<string, unknown>);
          roundTrip(kind, key, version, body);
          decoded = true;
        }
      }
    } else {
      const f = new ResponseFrame(payload, key, version);
      const body = f.body(key);
      await decodeRecordFields(schema, schema.root, body as unknown as Record<string, unknown>);
      roundTrip(kind, key, version, body);
      decoded = true;
    }
  });
  // 3. The body decoder at the original body offset, even when the mutation hit the header.
  if (!decoded) {
    await codecOnly(async () => {
      const bodyStart = frame.bodyStart - 4;
      if (bodyStart > payload.length) return;
      const body =
        kind === 'request'
          ? decodeRequest(key, version, payload, bodyStart)
          : decodeResponse(key, version, payload, bodyStart);
      await decodeRecordFields(schema, schema.root, body as unknown as Record<string, unknown>);
      roundTrip(kind, key, version, body);
      decoded = true;
    });
  }
  return decoded ? 'decoded' : 'rejected';
}

async function codecOnly(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof KafkaCodecError)) throw e;
  }
}

/** Records fields: walked (scanBatches) and fully decoded, decompression included. */
async function decodeRecordFields(
  schema: MessageSchema,
  struct: string,
  value: Record<string, unknown>,
): Promise<void> {
  for (const f of schema.structs[struct] ?? []) {
    const v = value[f.name];
    if (v === null || v === undefined) continue;
    if (f.type === 'records' && Buffer.isBuffer(v)) {
      try {
        await decodeRecords(v, { maxUncompressedBytes: 1 << 20 });
      } catch (e) {
        if (!(e instanceof KafkaCodecError)) throw e;
      }
    } else if (f.type === 'struct') {
      for (const s of (f.array ? v : [v]) as Record<string, unknown>[])
        await decodeRecordFields(schema, f.struct!, s);
    }
  }
}

/** What decoded must encode, and decode again to the same value. */
function roundTrip(kind: 'request' | 'response', key: RequestApiKey, version: number, body: unknown): void {
  let again: unknown;
  try {
    if (kind === 'request') again = decodeRequest(key, version, encodeRequest(key, version, body as never));
    else again = decodeResponse(key, version, encodeResponse(key, version, body as never));
  } catch (e) {
    throw new RoundTripMismatch(`decoded body does not re-encode: ${(e as Error).message}`);
  }
  try {
    assert.deepStrictEqual(again, body);
  } catch (e) {
    throw new RoundTripMismatch(`re-decoded body differs: ${(e as Error).message.slice(0, 600)}`);
  }
}
