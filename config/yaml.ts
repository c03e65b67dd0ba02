/**
 * Reading a YAML configuration file against a zod schema, with every problem reported as
 * `file:line:column path: message` (the line and column of the deepest node of the path that exists
 * in the document). Secret references (`${env:…}`, `${dir:…}`, references.ts) are resolved first.
 * Used by the monitor's configuration and by the `kgw` context file; the gateway's loader
 * (gateway/config/load.ts) and the mirror's YAML form (mirror/config/yaml.ts) still have their own
 * and are to be folded into this one (issue #14).
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { resolveYamlReferences } from './references.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A problem found after the schema accepted the document (e.g. a file it names cannot be read). */
export interface PathProblem {
  path: readonly (string | number)[];
  message: string;
}

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  ) || '(root)';

/**
 * Parses and validates YAML text; `file` names it in messages. `check` looks at the validated
 * value for problems the schema cannot see (files, cross-references) and reports them by path.
 */
export function parseYamlConfig<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  check?: (value: z.infer<S>) => PathProblem[],
): z.infer<S> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    throw new ConfigError(`${file}:${pos.line}:${pos.col} invalid YAML: ${e.message.split('\n')[0]}`);
  }
  resolveYamlReferences(doc, file, lines); // ${env:VAR}, ${dir:/path:file}: docs/deploy.md#secrets
  const result = schema.safeParse(doc.toJS() ?? {});
  const problems: PathProblem[] = result.success
    ? (check?.(result.data) ?? [])
    : result.error.issues.map((issue) => ({
        path: issue.path as (string | number)[],
        message:
          issue.code === 'unrecognized_keys' ? `unknown key(s): ${issue.keys.join(', ')}` : issue.message,
      }));
  if (problems.length === 0) return result.data as z.infer<S>;
  throw new ConfigError(
    problems.map((p) => `${locate(doc, lines, file, p.path)} ${formatPath(p.path)}: ${p.message}`).join('\n'),
  );
}

export function loadYamlConfig<S extends z.ZodType>(
  file: string,
  schema: S,
  check?: (value: z.infer<S>) => PathProblem[],
): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read: ${(err as Error).message}`);
  }
  return parseYamlConfig(text, file, schema, check);
}

/** `file:line:col` of the deepest node of `path` that exists in the document, or just `file`. */
function locate(doc: Document, lines: LineCounter, file: string, path: readonly (string | number)[]): string {
  for (let n = path.length; n > 0; n--) {
    const node: unknown = doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number] } | undefined)?.range;
    if (range) {
      const pos = lines.linePos(range[0]);
      return `${file}:${pos.line}:${pos.col}`;
    }
  }
  return file;
}
