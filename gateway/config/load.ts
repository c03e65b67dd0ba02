/**
 * Reads and validates a gateway YAML file through the one loader (config/yaml.ts): every problem is
 * reported as `file:line: key.path: message`, and every file path the schema marks (filePath()) is
 * relative to the configuration file's folder.
 *
 * The files `upstream` names (CA, client certificate and key, password or token file) are checked
 * here, by the same function the monitor and the mirror use (client/cluster-connection.ts), so a
 * wrong path fails `kgw gateway` at start with `gateway.yaml:12: upstream.tls.ca: cannot read …`
 * rather than at the first upstream connection. They are still read again at every connection, so
 * rotated files are picked up.
 */
import { connectionFileProblems } from '../../client/cluster-connection.js';
import { filePathKeys as filePathKeysOf } from '../../config/file-path.js';
import { parseYamlConfig, readConfigFile, type PathProblem } from '../../config/yaml.js';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';

export function loadGatewayConfig(file: string): GatewayConfig {
  return parseGatewayConfig(readConfigFile(file), file);
}

export function parseGatewayConfig(text: string, file: string): GatewayConfig {
  return parseYamlConfig(text, file, gatewayConfigSchema, upstreamFileProblems);
}

// The loader has made the upstream's file paths absolute before this check reads them.
const upstreamFileProblems = (c: GatewayConfig): PathProblem[] =>
  connectionFileProblems(c.upstream, ['upstream']);

/** Dotted paths (`listeners[].tls.cert`) of every file-path field in the schema (docs, tests). */
export const filePathKeys = (): string[] => filePathKeysOf(gatewayConfigSchema);
