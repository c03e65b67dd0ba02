/**
 * The one YAML configuration loader (gateway, monitor, `kgw` context file; the mirror's YAML form
 * reads its document through `parseYamlDocument` and its connection sections through
 * `parseYamlSection`): a YAML file against a zod schema, every problem reported as
 * `file:line: key.path: message` (the line of the deepest node of the path that exists in the
 * document) in one ConfigError (errors.ts). Secret references (`${env:…}`, `${dir:…}`,
 * references.ts) are resolved before the schema sees the document, and every field the schema marks
 * as a file path (file-path.ts) is made absolute against the file's folder.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, formatPath, type ConfigProblem } from './errors.js';
import { resolveFilePaths } from './file-path.js';
import { resolveYamlReferences } from './references.js';

export { ConfigError, formatPath };

/** A problem found after the schema accepted the document (e.g. a file it names cannot be read). */
export interface PathProblem {
  path: readonly (string | number)[];
  message: string;
}

/** A parsed YAML document with the line of any of its nodes. */
export interface YamlDocument {
  doc: Document;
  lines: LineCounter;
  lineOf(node: Node | null | undefined): number | undefined;
}

/** Parses YAML text; a syntax error is a ConfigError naming file and line. References stay as written. */
export function parseYamlDocument(text: string, file: string): YamlDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0)
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        file,
        line: lines.linePos(e.pos[0]).line,
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
      })),
    );
  const lineOf = (node: Node | null | undefined): number | undefined =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  return { doc, lines, lineOf };
}

/**
 * Parses and validates YAML text; `file` names it in messages and relative file paths are resolved
 * against its folder. `check` looks at the validated value for problems the schema cannot see
 * (files, cross-references) and reports them by path.
 */
export function parseYamlConfig<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  check?: (value: z.infer<S>) => PathProblem[],
): z.infer<S> {
  const yaml = parseYamlDocument(text, file);
  resolveYamlReferences(yaml.doc, file, yaml.lines); // ${env:VAR}, ${dir:/path:file}: docs/deploy.md#secrets
  return parseYamlSection(yaml, file, [], schema, check);
}

/**
 * Validates the part of a parsed document found at `at` (`[]`: the whole document) as
 * parseYamlConfig validates a file: the schema, file paths made absolute against the file's folder,
 * then `check` (which, like the schema, reports paths inside the section); every problem is named
 * by its full path from the document's root and the line of that key, in one ConfigError. For a
 * file whose sections are read differently (the mirror's YAML form: MM2 keys beside connection
 * sections). Secret references must already be resolved (resolveYamlReferences on the document).
 */
export function parseYamlSection<S extends z.ZodType>(
  yaml: YamlDocument,
  file: string,
  at: readonly (string | number)[],
  schema: S,
  check?: (value: z.infer<S>) => PathProblem[],
): z.infer<S> {
  const { doc, lines } = yaml;
  // A section's node is turned into plain values with its document, so YAML aliases resolve.
  const node: unknown = at.length === 0 ? undefined : doc.getIn(at, true);
  const value: unknown = at.length === 0 ? doc.toJS() : isNode(node) ? node.toJS(doc) : node;
  const result = schema.safeParse(value ?? {});
  let problems: PathProblem[];
  if (result.success) {
    const base = dirname(file);
    resolveFilePaths(schema, result.data, (p) => (isAbsolute(p) ? p : resolve(base, p)));
    problems = check?.(result.data) ?? [];
  } else {
    problems = result.error.issues.map((issue) => ({
      path: issue.path as (string | number)[],
      message:
        issue.code === 'unrecognized_keys' ? `unknown key(s): ${issue.keys.join(', ')}` : issue.message,
    }));
  }
  if (problems.length === 0) return result.data as z.infer<S>;
  throw new ConfigError(
    file,
    problems.map((p): ConfigProblem => {
      const path = [...at, ...p.path];
      return { file, line: lineAt(doc, lines, path), path: formatPath(path), message: p.message };
    }),
  );
}

export function loadYamlConfig<S extends z.ZodType>(
  file: string,
  schema: S,
  check?: (value: z.infer<S>) => PathProblem[],
): z.infer<S> {
  return parseYamlConfig(readConfigFile(file), file, schema, check);
}

/** The text of a configuration file; a file that cannot be read is a ConfigError naming it. */
export function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ file, message: `cannot read: ${(err as Error).message}` }]);
  }
}

/** Line of the deepest node of `path` that exists in the document (undefined: none does). */
function lineAt(doc: Document, lines: LineCounter, path: readonly (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number] } | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return undefined;
}
