/**
 * Secrets by reference in every configuration file (gateway, seed, mirror, monitor), in the syntax of
 * Kafka's ConfigProviders (KIP-297's ConfigTransformer pattern `${provider:[path:]key}`), so a
 * container or Kubernetes deployment mounts its configuration as plain files and keeps passwords in
 * the environment or in mounted secret files:
 *
 *   ${env:VAR}             the environment variable VAR (Kafka's EnvVarConfigProvider, KIP-887)
 *   ${dir:/run/secrets:pw} the whole content of the file `pw` in that directory (Kafka's
 *                          DirectoryConfigProvider, KIP-632): what a Kubernetes Secret volume or a
 *                          Compose secret is. Like Kafka, the content is used as is, not trimmed.
 *
 * Differences from Kafka, on purpose: the providers need no `config.providers` declaration (the file
 * names no classes), and a reference that cannot be resolved (unknown provider, unset variable,
 * missing file) is an error naming the file, line and key instead of staying in the value as literal
 * text: a password must never silently become the string "${env:PW}". Kafka's FileConfigProvider
 * (`${file:<properties file>:<key>}`) is not offered; the error says to use `dir`. Resolved values
 * never appear in an error message.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isPair, isScalar, isSeq, visit, type Document, type LineCounter } from 'yaml';
import { ConfigError } from './errors.js';

/** ConfigTransformer.DEFAULT_PATTERN: provider, optional path, key. */
const REFERENCE = /\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}/g;

/** A ConfigError whose problems are secret references that cannot be resolved. */
export class ConfigReferenceError extends ConfigError {
  constructor(file: string, problems: string[]) {
    super(file, problems);
    this.name = 'ConfigReferenceError';
  }
}

/** Where a value came from, for messages: `file:line: key`. */
export interface ValueLocation {
  file: string;
  line?: number | undefined;
  key?: string | undefined;
}

function describe(at: ValueLocation): string {
  return `${at.file}${at.line !== undefined ? `:${at.line}` : ''}${at.key ? `: ${at.key}` : ''}`;
}

/** Replaces every reference in one value; problems are appended (with their location) instead of thrown. */
function substitute(value: string, at: ValueLocation, problems: string[]): string {
  return value.replace(REFERENCE, (whole, provider: string, path: string | undefined, key: string) => {
    const found = lookup(provider, path, key);
    if (typeof found === 'string') return found;
    problems.push(`${describe(at)}: ${whole}: ${found.error}`);
    return whole;
  });
}

function lookup(provider: string, path: string | undefined, key: string): string | { error: string } {
  switch (provider) {
    case 'env': {
      if (path !== undefined && path !== '')
        return { error: 'the env provider takes no path: write ${env:VARIABLE}' };
      const v = process.env[key];
      return v === undefined ? { error: `environment variable ${key} is not set` } : v;
    }
    case 'dir': {
      if (path === undefined || path === '')
        return { error: 'the dir provider needs a directory: write ${dir:/path/to/dir:file}' };
      // DirectoryConfigProvider only serves regular files directly inside the directory.
      if (key === '' || key.includes('/') || key === '.' || key === '..')
        return { error: `"${key}" is not a file name inside ${path}` };
      const file = join(path, key);
      try {
        // statSync follows symbolic links, as Kubernetes Secret volumes use them (key -> ..data/key).
        if (!statSync(file).isFile()) return { error: `${file} is not a regular file` };
        return readFileSync(file, 'utf8');
      } catch (err) {
        return { error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
      }
    }
    case 'file':
      return {
        error:
          "Kafka's FileConfigProvider (properties files) is not supported; put the secret in a file of its own and write ${dir:/directory:file}",
      };
    default:
      return { error: `unknown config provider "${provider}" (supported: env, dir)` };
  }
}

/** Resolves references in one string value (throws ConfigReferenceError naming `at`). */
export function resolveReferences(value: string, at: ValueLocation): string {
  const problems: string[] = [];
  const out = substitute(value, at, problems);
  if (problems.length > 0) throw new ConfigReferenceError(at.file, problems);
  return out;
}

/** Resolves references in every string value of a parsed YAML document, in place (keys are left alone). */
export function resolveYamlReferences(doc: Document, file: string, lines?: LineCounter): void {
  const problems: string[] = [];
  visit(doc, {
    Scalar(key, node, path) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const at: ValueLocation = {
        file,
        line: lines && node.range ? lines.linePos(node.range[0]).line : undefined,
        key: keyPath([...path, node]),
      };
      node.value = substitute(node.value, at, problems);
    },
  });
  if (problems.length > 0) throw new ConfigReferenceError(file, problems);
}

/** `listeners[0].tls.key` from the visitor's ancestor chain (document, maps, pairs, sequences). */
function keyPath(chain: readonly unknown[]): string {
  let out = '';
  chain.forEach((n, i) => {
    if (isPair(n)) out += `${out ? '.' : ''}${isScalar(n.key) ? String(n.key.value) : '?'}`;
    else if (isSeq(n)) out += `[${n.items.indexOf(chain[i + 1] as never)}]`;
  });
  return out;
}

/** Resolves references in key/value entries (mm2.properties and the mirror's flattened YAML). */
export function resolveEntryReferences<T extends { key: string; value: string; line?: number }>(
  entries: T[],
  file: string,
): T[] {
  const problems: string[] = [];
  const out = entries.map((e) => ({
    ...e,
    value: substitute(e.value, { file, line: e.line, key: e.key }, problems),
  }));
  if (problems.length > 0) throw new ConfigReferenceError(file, problems);
  return out;
}
