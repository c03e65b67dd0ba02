/**
 * The YAML form of the mirror configuration, flattened into the same keys as mm2.properties so both
 * go through one validator:
 *
 *   clusters:                       # → clusters = east, west
 *     east: { bootstrap.servers: 127.0.0.1:19092 }   # → east.bootstrap.servers = …
 *     west: { bootstrap: 127.0.0.1:29092, tls: { ca: ca.pem } }   # the shared connection shape
 *   flows:
 *     east->west: { enabled: true, topics: [orders, 'payments\..*'] }   # → east->west.enabled, east->west.topics
 *   replication.policy.class: org.apache.kafka.connect.mirror.IdentityReplicationPolicy   # global key
 *
 * Lists become comma-separated values; each entry keeps the line of its value for error messages.
 * A cluster written in the shared connection shape (connection-forms.ts) is not flattened: it is
 * read by the one loader's schema into a connection, returned beside the entries. The document is
 * read by the one YAML loader (config/yaml.ts), its `${…}` references resolved in place as every
 * YAML file's are, and every problem is its ConfigError.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { ClusterConnection } from '../../client/cluster-connection.js';
import { ConfigError } from '../../config/errors.js';
import type { PropertyEntry } from '../../config/properties.js';
import { resolveYamlReferences } from '../../config/references.js';
import { parseYamlDocument } from '../../config/yaml.js';
import { formKeys, mixedFormsProblem, SHAPE_KEYS, shapedConnection } from './connection-forms.js';

export interface MirrorYaml {
  /** Every key but the shaped connections, as mm2.properties would hold them. */
  entries: PropertyEntry[];
  /** Connections of the clusters written in the shared shape, by alias. */
  connections: Map<string, ClusterConnection>;
}

export function readMirrorYaml(file: string, text: string): MirrorYaml {
  const yaml = parseYamlDocument(text, file);
  const { doc, lineOf } = yaml;
  resolveYamlReferences(doc, file, yaml.lines); // ${env:VAR}, ${dir:/path:file}: docs/deploy.md#secrets
  const problem = (line: number | undefined, key: string | undefined, message: string): ConfigError =>
    new ConfigError(file, [{ file, line, path: key, message }]);
  const root = doc.contents;
  if (!isMap(root)) throw problem(lineOf(root), undefined, 'expected a mapping at the top level');

  const entries: PropertyEntry[] = [];
  const connections = new Map<string, ClusterConnection>();
  const scalarValue = (key: string, node: unknown): string => {
    if (isScalar(node)) return node.value === null ? '' : String(node.value);
    if (isSeq(node)) {
      return node.items
        .map((item) => {
          if (!isScalar(item)) throw problem(lineOf(item as Node), key, 'list items must be plain values');
          return String(item.value);
        })
        .join(', ');
    }
    throw problem(lineOf(node as Node), key, 'expected a value or a list of values');
  };
  const keyOf = (k: unknown): string => (isScalar(k) ? String(k.value) : String(k));
  const push = (key: string, node: unknown, fallbackLine: number | undefined): void => {
    entries.push({ key, value: scalarValue(key, node), line: lineOf(node as Node) ?? fallbackLine ?? 0 });
  };

  for (const pair of root.items) {
    const key = keyOf(pair.key);
    const line = lineOf(pair.key as Node);
    if (key === 'clusters' && isMap(pair.value)) {
      const aliases: string[] = [];
      for (const c of pair.value.items) {
        const alias = keyOf(c.key);
        aliases.push(alias);
        if (!isMap(c.value))
          throw problem(lineOf(c.key as Node), `clusters.${alias}`, 'expected a mapping of cluster settings');
        const settings = c.value.items;
        const forms = formKeys(settings.map((s) => keyOf(s.key)));
        const mixed = mixedFormsProblem(alias, forms.shape, forms.properties);
        if (mixed !== undefined) throw problem(lineOf(c.key as Node), `clusters.${alias}`, mixed);
        const shaped = forms.shape.length > 0;
        // An alias is a name: a key YAML reads as a number (`1:`) is found by the text it was written as.
        if (isScalar(c.key)) c.key.value = alias;
        if (shaped) connections.set(alias, shapedConnection(yaml, file, alias));
        for (const s of settings)
          if (!(shaped && SHAPE_KEYS.includes(keyOf(s.key))))
            push(`${alias}.${keyOf(s.key)}`, s.value, lineOf(s.key as Node));
      }
      entries.push({ key: 'clusters', value: aliases.join(', '), line: line ?? 0 });
    } else if (key === 'flows') {
      if (!isMap(pair.value)) throw problem(line, 'flows', 'expected a mapping "A->B: {settings}"');
      for (const f of pair.value.items) {
        const flow = keyOf(f.key);
        if (!isMap(f.value))
          throw problem(lineOf(f.key as Node), `flows.${flow}`, 'expected a mapping of flow settings');
        for (const s of f.value.items) push(`${flow}.${keyOf(s.key)}`, s.value, lineOf(s.key as Node));
      }
    } else {
      push(key, pair.value, line);
    }
  }
  return { entries, connections };
}
