/**
 * A response body with every field at its schema default, built from the generated schema, for
 * APIs whose denial is a top-level error code (Kafka's getErrorResponse for those APIs sets the
 * error code and leaves the rest at defaults).
 */
import { ZERO_UUID, apiKeyInfo, messageSchemas, type SchemaField } from '../../protocol/index.js';

function blankStruct(structs: Record<string, SchemaField[]>, name: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of structs[name] ?? []) {
    if (f.tagged) continue; // absent tagged fields are simply not sent
    out[f.name] = blankField(structs, f);
  }
  return out;
}

function blankField(structs: Record<string, SchemaField[]>, f: SchemaField): unknown {
  const d = f.default;
  if (d === 'null') return null;
  if (f.array) return [];
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
      return null;
    case 'struct':
      return blankStruct(structs, f.struct!);
    default:
      return d === undefined || d === '' ? 0 : Number(d);
  }
}

/** The response body of `apiKey` with schema defaults everywhere. */
export function blankResponse(apiKey: number): Record<string, unknown> {
  const info = apiKeyInfo(apiKey);
  if (!info) throw new Error(`unknown API key ${apiKey}`);
  const schema = messageSchemas[`${info.name}Response`];
  if (!schema) throw new Error(`no response schema for ${info.name}`);
  return blankStruct(schema.structs, schema.root);
}

/** Does the response of this version carry a top-level field of that name? */
export function hasTopLevelField(apiKey: number, version: number, field: string): boolean {
  const info = apiKeyInfo(apiKey);
  const schema = info && messageSchemas[`${info.name}Response`];
  const f = schema?.structs[schema.root]?.find((x) => x.name === field);
  return f !== undefined && version >= f.versions[0] && version <= f.versions[1];
}

/**
 * A blank element of a nested response list, e.g. (ReadShareGroupState, ['results',
 * 'partitions']) for one partition result, with schema defaults everywhere.
 */
export function blankResponseElement(apiKey: number, path: readonly string[]): Record<string, unknown> {
  const info = apiKeyInfo(apiKey);
  const schema = info && messageSchemas[`${info.name}Response`];
  if (!schema) throw new Error(`no response schema for API key ${apiKey}`);
  let struct = schema.root;
  for (const name of path) {
    const f = schema.structs[struct]?.find((x) => x.name === name);
    if (!f?.struct) throw new Error(`${info.name}Response has no list of structs at ${path.join('.')}`);
    struct = f.struct;
  }
  return blankStruct(schema.structs, struct);
}
