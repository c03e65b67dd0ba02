/**
 * The two forms a cluster's connection takes in the mirror's YAML form, under `clusters.<alias>`:
 *
 *   clusters:
 *     east:                          # the shared YAML connection shape every kgw part takes
 *       bootstrap: kafka-1.dc1:9093  # (docs/connections.md), parsed by the one schema and loader
 *       tls: { ca: ca.pem }
 *       sasl: { mechanism: SCRAM-SHA-512, username: mirror, password: ${env:EAST_PW} }
 *     west:                          # or MM2's client properties, as in mm2.properties
 *       bootstrap.servers: kafka-1.dc2:9093
 *       security.protocol: SSL
 *
 * One alias takes one form; keys of both are refused together, naming them, because which of two
 * TLS or SASL settings would win is not something to guess about security. The mirror's own
 * per-cluster keys (`consumer.isolation.level`, keys.ts CLUSTER_KEYS) sit beside either form and
 * are checked with the other MM2 keys (config.ts).
 */
import { z } from 'zod';
import { CONNECTION_PROPERTY_KEYS } from '../../client/client-properties.js';
import {
  clusterConnectionShape,
  connectionFileProblems,
  type ClusterConnection,
} from '../../client/cluster-connection.js';
import { parseYamlSection, type YamlDocument } from '../../config/yaml.js';
import { CLUSTER_KEYS } from './keys.js';

/** Keys of the shared shape (`bootstrap`, `clientId`, `tls`, `sasl`, the two timeouts). */
export const SHAPE_KEYS: readonly string[] = Object.keys(clusterConnectionShape);

const isShapeKey = (key: string): boolean => SHAPE_KEYS.includes(key);

/**
 * The shared shape plus the mirror's own per-cluster keys, which are only let through here (their
 * values are checked by config.ts like every MM2 key); any other key is unknown.
 */
const shapedClusterSchema = z
  .object({
    ...clusterConnectionShape,
    ...Object.fromEntries(Object.keys(CLUSTER_KEYS).map((k) => [k, z.unknown().optional()])),
  })
  .strict();

/** What is wrong when one alias mixes the two forms, or undefined; names the keys of each side. */
export function mixedFormsProblem(
  alias: string,
  shapeKeys: readonly string[],
  propertyKeys: readonly string[],
): string | undefined {
  if (shapeKeys.length === 0 || propertyKeys.length === 0) return undefined;
  return (
    `cluster "${alias}" mixes the two connection forms: ${shapeKeys.join(', ')} (the YAML connection shape) ` +
    `and ${propertyKeys.join(', ')} (MM2 client properties); write its connection in one of them`
  );
}

/** The keys of a `clusters.<alias>` mapping that belong to each connection form. */
export function formKeys(keys: readonly string[]): { shape: string[]; properties: string[] } {
  return {
    shape: keys.filter(isShapeKey),
    properties: keys.filter((k) => CONNECTION_PROPERTY_KEYS.has(k)),
  };
}

/**
 * The connection of `clusters.<alias>` written in the shared shape, read by the one loader (paths
 * relative to the file's folder; every problem `file:line: clusters.<alias>.key.path: message`),
 * its files checked as every product checks them. References must be resolved in the document.
 */
export function shapedConnection(yaml: YamlDocument, file: string, alias: string): ClusterConnection {
  // Problems are reported relative to the section; parseYamlSection puts `clusters.<alias>` before them.
  const parsed = parseYamlSection(yaml, file, ['clusters', alias], shapedClusterSchema, (c) =>
    connectionFileProblems(c),
  );
  return Object.fromEntries(
    Object.entries(parsed).filter(([k, v]) => isShapeKey(k) && v !== undefined),
  ) as ClusterConnection;
}
