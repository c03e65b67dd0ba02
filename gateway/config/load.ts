/**
 * Reads and validates a gateway YAML file. Every problem is reported as `file:line: path: message`,
 * so an operator can go straight to the line at fault.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { filePathKeys as filePathKeysOf, resolveFilePaths } from '../../config/file-path.js';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';
import { resolveYamlReferences } from '../../config/references.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration in ${file}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadGatewayConfig(file: string): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`cannot read: ${(e as Error).message}`]);
  }
  return parseGatewayConfig(text, file);
}

export function parseGatewayConfig(text: string, file: string): GatewayConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map(
        (e) => `${file}:${lines.linePos(e.pos[0]).line}: YAML syntax: ${e.message.split('\n')[0]}`,
      ),
    );
  }
  resolveYamlReferences(doc, file, lines); // ${env:VAR}, ${dir:/path:file}: docs/deploy.md#secrets
  const result = gatewayConfigSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => describeIssue(issue, doc.contents, lines, file)),
    );
  }
  return resolvePaths(result.data, dirname(file));
}

function describeIssue(issue: z.core.$ZodIssue, root: unknown, lines: LineCounter, file: string): string {
  const path = issue.path.map(String);
  const node = nodeAt(root, path);
  const line = node?.range ? `:${lines.linePos(node.range[0]).line}` : '';
  const where = path.length ? path.join('.') : '(top level)';
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown key(s): ${issue.keys.join(', ')}`;
  return `${file}${line}: ${where}: ${message}`;
}

/** The deepest YAML node along a path, for its line number. */
function nodeAt(node: unknown, path: string[]): Node | undefined {
  let current = node as Node | undefined;
  for (const key of path) {
    if (isMap(current)) {
      const next = current.get(key, true) as Node | undefined;
      if (next === undefined) return current;
      current = next;
    } else if (isSeq(current)) {
      const next = current.get(Number(key), true) as Node | undefined;
      if (next === undefined) return current;
      current = next;
    } else return current;
  }
  return current;
}

/**
 * File paths in the config are relative to the config file's folder, as in most servers' configs:
 * every field the schema marks with filePath() is resolved, wherever it sits (config/file-path.ts).
 */
function resolvePaths(c: GatewayConfig, base: string): GatewayConfig {
  return resolveFilePaths(gatewayConfigSchema, c, (p) => (isAbsolute(p) ? p : resolve(base, p)));
}

/** Dotted paths (`listeners[].tls.cert`) of every file-path field in the schema (docs, tests). */
export const filePathKeys = (): string[] => filePathKeysOf(gatewayConfigSchema);
