/**
 * Requests built from the generated message definitions (protocol/generated/schema.ts), not by
 * hand: every field of the version at its default, every array on the way to a field with one
 * element, and the fields a caller cares about set by a callback. The authorization tests use it
 * to put allowed, denied, prefixed, wildcard and unknown names into every field of every API that
 * names a resource, so a new API or field is exercised without anyone writing a request for it.
 */
import {
  ZERO_UUID,
  apiKeyInfo,
  messageSchemas,
  type MessageSchema,
  type SchemaField,
} from '../../protocol/index.js';

/** The value for a field (path as in protocol/generated/entities.ts), or undefined for its default. */
export type FieldValue = (path: string, field: SchemaField) => unknown;

const inVersion = (range: [number, number] | undefined, v: number): boolean =>
  range !== undefined && v >= range[0] && v <= range[1];

function defaultOf(f: SchemaField, version: number): unknown {
  const d = f.default;
  const nullable = inVersion(f.nullable, version);
  if (d === 'null' && nullable) return null;
  switch (f.type) {
    case 'bool':
      return d === 'true';
    case 'int64':
      return BigInt(d ?? 0);
    case 'string':
      return d ?? '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return nullable ? null : Buffer.alloc(0);
    default:
      return d === undefined || d === '' ? 0 : Number(d);
  }
}

const NONE: FieldValue = () => undefined;

function build(
  schema: MessageSchema,
  struct: string,
  version: number,
  prefix: string,
  value: FieldValue,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of schema.structs[struct] ?? []) {
    const path = `${prefix}${f.name}${f.array ? '[]' : ''}`;
    if (!inVersion(f.versions, version)) {
      // The encoder wants every field; those the version cannot carry stay at their defaults.
      if (f.tagged) continue;
      if (f.array) out[f.name] = [];
      else if (f.type === 'struct') out[f.name] = build(schema, f.struct!, version, `${path}.`, NONE);
      else out[f.name] = f.default === 'null' ? null : defaultOf({ ...f, nullable: undefined }, version);
      continue;
    }
    if (f.type === 'struct') {
      const child = build(schema, f.struct!, version, `${path}.`, value);
      out[f.name] = f.array ? [child] : child;
      continue;
    }
    const v = value(path, f);
    if (f.array) out[f.name] = v === undefined ? [] : Array.isArray(v) ? v : [v];
    else if (v !== undefined) out[f.name] = v;
    else if (!f.tagged) out[f.name] = defaultOf(f, version);
  }
  return out;
}

/** The request body of `apiKey` at `version`, for encodeRequestFrame. */
export function buildRequest(apiKey: number, version: number, value: FieldValue): Record<string, unknown> {
  const info = apiKeyInfo(apiKey);
  const schema = info && messageSchemas[`${info.name}Request`];
  if (!schema) throw new Error(`no request schema for API key ${apiKey}`);
  return build(schema, schema.root, version, '', value);
}

/** Every field path of a request version that can name something (strings, uuids, entity types). */
export function namingFields(apiKey: number, version: number): { path: string; field: SchemaField }[] {
  const out: { path: string; field: SchemaField }[] = [];
  buildRequest(apiKey, version, (path, field) => {
    if (field.type === 'string' || field.type === 'uuid' || field.entityType) out.push({ path, field });
    return undefined;
  });
  return out;
}
