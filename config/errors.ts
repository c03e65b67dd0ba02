/**
 * The one configuration error of every product and the CLI. Each problem reads
 * `file:line: key.path: message` (line left out when the key is absent from the file; path left out
 * when the problem is the file itself, e.g. invalid YAML), so an operator goes straight to the line
 * at fault whichever product reported it. Messages never carry a secret value.
 */

/** One problem at one place in a configuration file. */
export interface ConfigProblem {
  file: string;
  /** 1-based line of the key (or of its nearest existing ancestor); undefined when absent. */
  line?: number | undefined;
  /** `clusters[0].tls.ca` for YAML, the key itself (`east.sasl.jaas.config`) for properties. */
  path?: string | undefined;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** `clusters[0].tls.ca` from a path of keys and indices; `(root)` for the document itself. */
export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  ) || '(root)';

export class ConfigError extends Error {
  /** Every problem found, each formatted as `file:line: key.path: message`. */
  readonly problems: string[];
  /** The same problems as found (a problem given already formatted has only file and message). */
  readonly details: readonly ConfigProblem[];

  constructor(
    readonly file: string,
    problems: readonly (ConfigProblem | string)[],
  ) {
    const details = problems.map((p) => (typeof p === 'string' ? { file, message: p } : p));
    const lines = problems.map((p) => (typeof p === 'string' ? p : formatProblem(p)));
    super(lines.join('\n'));
    this.problems = lines;
    this.details = details;
    this.name = 'ConfigError';
  }
}
