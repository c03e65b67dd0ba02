/**
 * Valid frames to mutate, generated from Kafka's message definitions (the generated schema
 * metadata): every API, every request and response version, with random field values, and with
 * real record batches (every compression codec, headers, several records) wherever a message has
 * a records field, so mutations reach the batch decoder and not just the length in front of it.
 */
import {
  Compression,
  encodeRecordBatch,
  encodeRequestHeader,
  encodeResponseHeader,
  messageSchemas,
  type ApiKeyInfo,
  type MessageSchema,
} from '../../protocol/index.js';
import { requestEncoders, responseEncoders, type EncodeFn } from '../../protocol/generated/registry.js';
import { apiKeyTable } from '../../protocol/generated/api-keys.js';
import { MessageGenerator, Rng } from '../../test/unit/protocol/random-message.js';
import { SiteRecordingWriter, type Site } from './site-writer.js';

export { Rng };

export interface FrameTarget {
  api: ApiKeyInfo;
  kind: 'request' | 'response';
  version: number;
  schema: MessageSchema;
}

/** A valid frame: size prefix, header, body; the sites of every value in it. */
export interface GeneratedFrame {
  target: FrameTarget;
  bytes: Buffer;
  sites: Site[];
  /** Where the body starts (after size prefix and header). */
  bodyStart: number;
}

/** Every (API, request/response, version) the codec knows. */
export function allTargets(filter: (api: ApiKeyInfo) => boolean = () => true): FrameTarget[] {
  const out: FrameTarget[] = [];
  for (const api of apiKeyTable) {
    if (api.removed || !filter(api)) continue;
    for (const kind of ['request', 'response'] as const) {
      const schema = messageSchemas[`${api.name}${kind === 'request' ? 'Request' : 'Response'}`];
      if (!schema?.valid) continue;
      const [min, max] =
        kind === 'request'
          ? [api.minVersion, api.maxVersion]
          : [api.responseMinVersion, api.responseMaxVersion];
      for (let v = min; v <= max; v++) out.push({ api, kind, version: v, schema });
    }
  }
  return out;
}

/** Real record batches, built once: each codec, with and without headers, one or many records. */
export async function recordBatchPool(rng: Rng, size = 40): Promise<Buffer[]> {
  const codecs = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd];
  const pool: Buffer[] = [];
  for (let i = 0; i < size; i++) {
    const n = rng.int(1, 6);
    const now = BigInt(Date.now());
    pool.push(
      await encodeRecordBatch({
        baseOffset: BigInt(rng.int(0, 1000)),
        partitionLeaderEpoch: -1,
        attributes: codecs[i % codecs.length]!,
        baseTimestamp: now,
        maxTimestamp: now + BigInt(n),
        producerId: -1n,
        producerEpoch: -1,
        baseSequence: -1,
        records: Array.from({ length: n }, (_, j) => ({
          attributes: 0,
          timestampDelta: j,
          offsetDelta: j,
          key: rng.chance(0.5) ? rng.bytes(rng.int(0, 8)) : null,
          value: rng.chance(0.9) ? rng.bytes(rng.int(0, 64)) : null,
          headers: rng.chance(0.5) ? [{ key: `h${j}`, value: rng.chance(0.8) ? rng.bytes(3) : null }] : [],
        })),
      }),
    );
  }
  return pool;
}

export interface GenerateOptions {
  /** Valid record batches for records fields. */
  batches: readonly Buffer[];
  /**
   * Upper bound for fields that make a broker wait (maxWaitMs, timeoutMs, …), so a live run tells a
   * hang from a long poll the client asked for. Undefined leaves them random.
   */
  maxWaitMs?: number;
  correlationId?: number;
  clientId?: string | null;
  /**
   * Names to put in resource-name fields (topics, groups, transactional ids) half the time, so a
   * live run reaches resources its principal may use as well as ones it may not.
   */
  entityNames?: readonly string[];
}

/** Generates one valid frame of `target` and records the sites of its values. */
export function generateFrame(target: FrameTarget, rng: Rng, opts: GenerateOptions): GeneratedFrame {
  const gen = new MessageGenerator(target.schema, rng);
  const body = gen.message(target.version);
  fixUp(target.schema, target.schema.root, body, rng, opts);
  const w = new SiteRecordingWriter(256);
  w.int32(0);
  const correlationId = opts.correlationId ?? rng.int(0, 0x7fffffff);
  if (target.kind === 'request') {
    encodeRequestHeader(w, {
      apiKey: target.api.apiKey,
      apiVersion: target.version,
      correlationId,
      clientId: opts.clientId === undefined ? 'fuzz' : opts.clientId,
    });
  } else encodeResponseHeader(w, target.api.apiKey, target.version, correlationId);
  const bodyStart = w.pos;
  const encoders: (EncodeFn | undefined)[] = target.kind === 'request' ? requestEncoders : responseEncoders;
  encoders[target.api.apiKey]!(w, target.version, body as never);
  const bytes = Buffer.from(w.finish());
  bytes.writeInt32BE(bytes.length - 4, 0);
  return { target, bytes, sites: w.sites, bodyStart };
}

/** Fields whose value makes a broker hold a request (fetch long-poll, rebalance, request timeouts). */
export const WAIT_FIELD = /(^timeoutMs$|WaitMs$|TimeoutMs$|^timeout$)/;

/** Real record batches into records fields; wait fields bounded (see GenerateOptions). */
function fixUp(
  schema: MessageSchema,
  struct: string,
  value: Record<string, unknown>,
  rng: Rng,
  opts: GenerateOptions,
): void {
  for (const f of schema.structs[struct] ?? []) {
    const v = value[f.name];
    if (v === null || v === undefined) continue;
    if (f.type === 'records' && !f.array && Buffer.isBuffer(v)) {
      const n = rng.int(1, 2);
      value[f.name] = Buffer.concat(
        Array.from({ length: n }, () => opts.batches[rng.int(0, opts.batches.length - 1)]!),
      );
    } else if (f.type === 'struct') {
      for (const s of (f.array ? v : [v]) as Record<string, unknown>[])
        fixUp(schema, f.struct!, s, rng, opts);
    } else if (opts.maxWaitMs !== undefined && typeof v === 'number' && WAIT_FIELD.test(f.name)) {
      value[f.name] = Math.min(Math.abs(v), opts.maxWaitMs);
    } else if (opts.entityNames?.length && f.entityType && typeof v === 'string' && rng.chance(0.5)) {
      value[f.name] = opts.entityNames[rng.int(0, opts.entityNames.length - 1)];
    } else if (
      opts.entityNames?.length &&
      f.entityType &&
      f.array &&
      f.type === 'string' &&
      Array.isArray(v)
    ) {
      value[f.name] = v.map((x) =>
        rng.chance(0.5) ? opts.entityNames![rng.int(0, opts.entityNames!.length - 1)] : x,
      );
    }
  }
}
