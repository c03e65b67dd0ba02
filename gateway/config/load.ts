/**
 * Reads and validates a gateway YAML file through the one loader (config/yaml.ts): every problem is
 * reported as `file:line: key.path: message`, and every file path the schema marks (filePath()) is
 * relative to the configuration file's folder.
 */
import { filePathKeys as filePathKeysOf } from '../../config/file-path.js';
import { loadYamlConfig, parseYamlConfig } from '../../config/yaml.js';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';

export function loadGatewayConfig(file: string): GatewayConfig {
  return loadYamlConfig(file, gatewayConfigSchema);
}

export function parseGatewayConfig(text: string, file: string): GatewayConfig {
  return parseYamlConfig(text, file, gatewayConfigSchema);
}

/** Dotted paths (`listeners[].tls.cert`) of every file-path field in the schema (docs, tests). */
export const filePathKeys = (): string[] => filePathKeysOf(gatewayConfigSchema);
