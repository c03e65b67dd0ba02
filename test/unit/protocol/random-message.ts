// Schema-driven random message generator for property tests: builds a valid message of a given
// version from the generated schema metadata, with absent fields at their defaults (as decoders
// produce them), so decode(encode(m)) must deep-equal m.
import {
  messageSchemas,
  ZERO_UUID,
  type MessageSchema,
  type RawTaggedField,
  type SchemaField,
} from '../../../protocol/index.js';

/** Small deterministic PRNG (mulberry32) so failures reproduce from the printed seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }
}

const inRange = (v: number, r: [number, number] | undefined): boolean =>
  r !== undefined && v >= r[0] && v <= r[1];

const CHARS = ['a', 'Z', '0', '-', '.', '_', 'é', 'ß', '日', '本', '🙂', ' '];

function randomString(rng: Rng): string {
  let s = '';
  const n = rng.int(0, 8);
  for (let i = 0; i < n; i++) s += CHARS[rng.int(0, CHARS.length - 1)];
  return s;
}

function randomPrim(rng: Rng, type: string): unknown {
  switch (type) {
    case 'int8':
      return rng.int(-128, 127);
    case 'int16':
      return rng.int(-32768, 32767);
    case 'uint16':
      return rng.int(0, 65535);
    case 'int32':
      return rng.int(-0x80000000, 0x7fffffff);
    case 'uint32':
      return rng.int(0, 0xffffffff);
    case 'int64':
      return rng.bytes(8).readBigInt64BE(0);
    case 'float64':
      return rng.chance(0.5) ? rng.int(-1000, 1000) / 8 : rng.bytes(8).readDoubleBE(0) || 0.5;
    case 'bool':
      return rng.chance(0.5);
    case 'string':
      return randomString(rng);
    case 'bytes':
    case 'records':
      return rng.bytes(rng.int(0, 12));
    case 'uuid':
      return rng.bytes(16).toString('base64url');
    default:
      throw new Error(`unknown type ${type}`);
  }
}

function defaultPrim(f: SchemaField): unknown {
  const d = f.default;
  switch (f.type) {
    case 'int64':
      return BigInt(d === undefined || d === '' ? 0 : d);
    case 'bool':
      return d === 'true';
    case 'string':
      return d === 'null' ? null : (d ?? '');
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return ZERO_UUID;
    default:
      return d === undefined || d === '' ? 0 : Number(d);
  }
}

export class MessageGenerator {
  constructor(
    readonly schema: MessageSchema,
    readonly rng: Rng,
  ) {}

  defaultStruct(name: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.schema.structs[name]!) out[f.name] = f.tagged ? undefined : this.defaultField(f);
    return out;
  }

  private defaultField(f: SchemaField): unknown {
    if (f.default === 'null') return null;
    if (f.array) return [];
    if (f.type === 'struct') return this.defaultStruct(f.struct!);
    return defaultPrim(f);
  }

  struct(name: string, v: number, depth = 0): Record<string, unknown> {
    const rng = this.rng;
    const out: Record<string, unknown> = {};
    for (const f of this.schema.structs[name]!) {
      const present = inRange(v, f.versions);
      if (!present) {
        out[f.name] = f.tagged ? undefined : this.defaultField(f);
        continue;
      }
      if (inRange(v, f.tagged) && rng.chance(0.3)) {
        out[f.name] = undefined;
        continue;
      }
      if (inRange(v, f.nullable) && rng.chance(0.2)) {
        out[f.name] = null;
        continue;
      }
      if (f.array) {
        const n = depth > 3 ? 0 : rng.int(0, 3);
        const a: unknown[] = [];
        for (let i = 0; i < n; i++)
          a.push(f.type === 'struct' ? this.struct(f.struct!, v, depth + 1) : randomPrim(rng, f.type));
        out[f.name] = a;
      } else if (f.type === 'struct') out[f.name] = this.struct(f.struct!, v, depth + 1);
      else out[f.name] = randomPrim(rng, f.type);
    }
    const flexible = this.schema.flexibleFrom !== null && v >= this.schema.flexibleFrom;
    if (flexible && rng.chance(0.15)) {
      const unknown: RawTaggedField[] = [];
      let tag = rng.int(20, 30);
      for (let i = rng.int(1, 2); i > 0; i--) {
        unknown.push({ tag, data: rng.bytes(rng.int(0, 5)) });
        tag += rng.int(1, 1000);
      }
      out.unknownTaggedFields = unknown;
    }
    return out;
  }

  message(v: number): Record<string, unknown> {
    return this.struct(this.schema.root, v);
  }
}

export function allMessageVersions(): { name: string; schema: MessageSchema; version: number }[] {
  const out: { name: string; schema: MessageSchema; version: number }[] = [];
  for (const [name, schema] of Object.entries(messageSchemas)) {
    if (!schema.valid) continue;
    for (let v = schema.valid[0]; v <= schema.valid[1]; v++) out.push({ name, schema, version: v });
  }
  return out;
}
