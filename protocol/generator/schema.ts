// Parses Kafka's message-definition JSON into a normalised model the emitter walks.

export interface Range {
  min: number;
  max: number; // OPEN for "N+"
}
export const OPEN = 0x7fff;

export type Primitive =
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';
const PRIMITIVES = new Set<string>([
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'bool',
  'string',
  'bytes',
  'records',
  'uuid',
]);

export interface FieldModel {
  name: string;
  prop: string;
  array: boolean;
  prim: Primitive | null; // element type when not a struct
  struct: string | null; // struct name (as in the JSON) when a struct
  versions: Range | null;
  nullable: Range | null;
  tagged: Range | null;
  tag: number | null;
  flexibleNone: boolean; // field-level "flexibleVersions": "none" (request header ClientId)
  entityType: string | null;
  default: string | null;
  /** May be dropped silently when encoding a version without it (otherwise a non-default value is an error). */
  ignorable: boolean;
  about: string;
}

export interface StructModel {
  name: string;
  fields: FieldModel[];
}

export interface MessageModel {
  file: string;
  name: string;
  type: 'request' | 'response' | 'header' | 'data';
  apiKey: number | null;
  valid: Range | null;
  flexible: Range | null;
  listeners: string[];
  latestVersionUnstable: boolean;
  root: StructModel;
  structs: Map<string, StructModel>; // nested and common structs, by JSON name
}

/** Removes // comments outside of string literals. */
export function stripComments(text: string): string {
  let out = '';
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inStr) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inStr = false;
    } else if (c === '"') {
      inStr = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return out;
}

export function parseRange(spec: string | undefined): Range | null {
  if (spec === undefined || spec === 'none') return null;
  let m = /^(\d+)\+$/.exec(spec);
  if (m) return { min: Number(m[1]), max: OPEN };
  m = /^(\d+)-(\d+)$/.exec(spec);
  if (m) return { min: Number(m[1]), max: Number(m[2]) };
  m = /^(\d+)$/.exec(spec);
  if (m) return { min: Number(m[1]), max: Number(m[1]) };
  throw new Error(`bad version range ${spec}`);
}

export function intersect(a: Range | null, b: Range | null): Range | null {
  if (!a || !b) return null;
  const min = Math.max(a.min, b.min);
  const max = Math.min(a.max, b.max);
  return min <= max ? { min, max } : null;
}

export function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

interface RawField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  flexibleVersions?: string;
  entityType?: string;
  default?: string | number | boolean;
  ignorable?: boolean;
  about?: string;
  fields?: RawField[];
}
interface RawMessage {
  apiKey?: number;
  type: MessageModel['type'];
  name: string;
  validVersions: string;
  flexibleVersions?: string;
  listeners?: string[];
  latestVersionUnstable?: boolean;
  fields?: RawField[];
  commonStructs?: { name: string; versions?: string; fields: RawField[] }[];
}

export function parseMessage(file: string, text: string): MessageModel {
  const raw = JSON.parse(stripComments(text)) as RawMessage;
  const structs = new Map<string, StructModel>();
  const common = new Map((raw.commonStructs ?? []).map((c) => [c.name, c]));

  const field = (f: RawField): FieldModel => {
    const array = f.type.startsWith('[]');
    const elem = array ? f.type.slice(2) : f.type;
    let prim: Primitive | null = null;
    let struct: string | null = null;
    if (PRIMITIVES.has(elem)) prim = elem as Primitive;
    else {
      struct = elem;
      if (f.fields) defineStruct(elem, f.fields);
      else if (!common.has(elem) && !structs.has(elem)) throw new Error(`${file}: unknown type ${f.type}`);
    }
    return {
      name: f.name,
      prop: camel(f.name),
      array,
      prim,
      struct,
      versions: parseRange(f.versions),
      nullable: parseRange(f.nullableVersions),
      tagged: parseRange(f.taggedVersions),
      tag: f.tag ?? null,
      flexibleNone: f.flexibleVersions === 'none',
      entityType: f.entityType ?? null,
      default: f.default === undefined ? null : String(f.default),
      ignorable: f.ignorable === true,
      about: f.about ?? '',
    };
  };
  const defineStruct = (name: string, fields: RawField[]): void => {
    if (structs.has(name)) throw new Error(`${file}: struct ${name} defined twice`);
    const s: StructModel = { name, fields: [] };
    structs.set(name, s);
    s.fields = fields.map(field);
  };
  for (const c of common.values()) defineStruct(c.name, c.fields);
  const root: StructModel = { name: raw.name, fields: (raw.fields ?? []).map(field) };
  for (const s of [root, ...structs.values()]) {
    const props = new Set<string>();
    for (const f of s.fields) {
      if (props.has(f.prop) || f.prop === 'unknownTaggedFields')
        throw new Error(`${file}: duplicate field ${f.prop}`);
      props.add(f.prop);
    }
  }
  return {
    file,
    name: raw.name,
    type: raw.type,
    apiKey: raw.apiKey ?? null,
    valid: parseRange(raw.validVersions),
    flexible: parseRange(raw.flexibleVersions),
    listeners: raw.listeners ?? [],
    latestVersionUnstable: raw.latestVersionUnstable ?? false,
    root,
    structs,
  };
}
