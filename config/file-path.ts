/**
 * A file path in a configuration file: relative ones are resolved against the configuration file's
 * folder by the loader, which finds every field marked this way in the schema (so a new path key
 * cannot be forgotten). `except` names values that are not paths (the gateway audit's "stdout");
 * `pemText` says the field may hold the PEM text itself (a `${env:…}` reference to a certificate),
 * which is kept as it is.
 */
import { z } from 'zod';

export const FILE_PATH_META = 'kgwFilePath';

export interface FilePathMark {
  except: string[];
  pemText: boolean;
}

/** Marks a string schema as a file path. */
export const markFilePath = <T extends z.ZodString>(schema: T, mark: Partial<FilePathMark> = {}): T =>
  schema.meta({ [FILE_PATH_META]: { except: mark.except ?? [], pemText: mark.pemText ?? false } });

export const filePath = (except: string[] = []) => markFilePath(z.string(), { except });

/** Whether a value of a field marked `pemText` is PEM text rather than a path. */
export const isPemText = (s: string): boolean => s.trimStart().startsWith('-----BEGIN');

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  oneOf?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  allOf?: JsonSchemaNode[];
  [FILE_PATH_META]?: FilePathMark;
}

// The schema's JSON Schema form carries the marks through unions, arrays and defaults, so the walk
// below needs no knowledge of zod's internals. Computed once per schema.
const jsonSchemas = new WeakMap<z.ZodType, JsonSchemaNode>();
function jsonSchemaOf(schema: z.ZodType): JsonSchemaNode {
  let json = jsonSchemas.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchemaNode;
    jsonSchemas.set(schema, json);
  }
  return json;
}

/**
 * Rewrites, in place, every string of `value` (a value `schema` accepted) that the schema marks
 * with filePath(), through `abs` (which makes a relative path absolute).
 */
export function resolveFilePaths<T>(schema: z.ZodType, value: T, abs: (path: string) => string): T {
  return resolveMarked(jsonSchemaOf(schema), value, abs) as T;
}

function resolveMarked(schema: JsonSchemaNode, value: unknown, abs: (p: string) => string): unknown {
  const mark = schema[FILE_PATH_META];
  if (mark && typeof value === 'string')
    return mark.except.includes(value) || (mark.pemText && isPemText(value)) ? value : abs(value);
  for (const alt of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])])
    value = resolveMarked(alt, value, abs);
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) value[i] = resolveMarked(schema.items, value[i], abs);
  } else if (value !== null && typeof value === 'object' && schema.properties) {
    const o = value as Record<string, unknown>;
    for (const [k, sub] of Object.entries(schema.properties))
      if (o[k] !== undefined) o[k] = resolveMarked(sub, o[k], abs);
  }
  return value;
}

/** Dotted paths (`listeners[].tls.cert`) of every file-path field in a schema (docs, tests). */
export function filePathKeys(schema: z.ZodType): string[] {
  return markedKeys(jsonSchemaOf(schema), '');
}

function markedKeys(schema: JsonSchemaNode, at: string): string[] {
  if (schema[FILE_PATH_META]) return [at];
  const out: string[] = [];
  for (const alt of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])])
    out.push(...markedKeys(alt, at));
  if (schema.items) out.push(...markedKeys(schema.items, `${at}[]`));
  for (const [k, sub] of Object.entries(schema.properties ?? {}))
    out.push(...markedKeys(sub, at ? `${at}.${k}` : k));
  return [...new Set(out)];
}
