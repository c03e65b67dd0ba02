/**
 * Which Kafka clusters an operator command talks to, and how (the one cluster-connection shape):
 *
 *  1. --bootstrap-server host:port, secured by --command-config (Kafka's client properties, as
 *     Kafka's tools take them, or a YAML file in kgw's connection shape) and/or a few flags;
 *  2. --config monitor.yaml (lag and status): the monitor's own clusters;
 *  3. the context file (context.ts).
 *
 * --cluster <name> picks one of the named clusters of 2 and 3 (and names the cluster of 1).
 */
import { readFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import type { Command } from 'commander';
import { connectionFromProperties } from '../../client/client-properties.js';
import {
  clusterConnectionSchema,
  connectionFileProblems,
  resolveConnectionPaths,
  type ClusterConnection,
} from '../../client/cluster-connection.js';
import { parseProperties } from '../../config/properties.js';
import { loadMonitorConfig } from '../../monitor/config.js';
import { formatPath, loadYamlConfig } from '../../config/yaml.js';
import { resolveEntryReferences } from '../../config/references.js';
import { contextFile, loadContext, type KgwContext } from './context.js';
import { UsageError } from './errors.js';

export interface ConnectionFlags {
  context?: string;
  config?: string;
  cluster?: string;
  bootstrapServer?: string;
  commandConfig?: string;
  caFile?: string;
  saslMechanism?: string;
  saslUser?: string;
  saslPasswordFile?: string;
  saslPasswordEnv?: string;
}

export interface ClusterTarget {
  readonly name: string;
  readonly connection: ClusterConnection;
  /** Where the settings came from, for messages. */
  readonly source: string;
}

/** The options every command that talks to Kafka takes. */
export function addConnectionOptions(cmd: Command, opts: { monitorConfig?: boolean } = {}): Command {
  cmd
    .option(
      '--context <file>',
      'kgw context file (default: $KGW_CONTEXT, ./kgw.yaml, ~/.config/kgw/kgw.yaml)',
    )
    .option(
      '--cluster <name>',
      'one cluster of the context (or monitor configuration); names --bootstrap-server',
    )
    .option('--bootstrap-server <host:port,...>', 'connect to these brokers (or a kgw gateway) instead')
    .option(
      '--command-config <file>',
      "connection settings: Kafka client properties (as Kafka's tools take them) or kgw's connection YAML",
    )
    .option('--ca-file <pem>', 'TLS with this CA (PEM); host names are checked')
    .option('--sasl-mechanism <mechanism>', 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (with --sasl-user)')
    .option('--sasl-user <name>', 'SASL user name')
    .option('--sasl-password-file <file>', 'file holding the SASL password')
    .option('--sasl-password-env <variable>', 'environment variable holding the SASL password');
  if (opts.monitorConfig)
    cmd.option('-c, --config <monitor.yaml>', "the monitor's configuration: its clusters");
  return cmd;
}

export function resolveTargets(flags: ConnectionFlags): { targets: ClusterTarget[]; context?: KgwContext } {
  if (flags.bootstrapServer !== undefined || flags.commandConfig !== undefined) {
    if (flags.config !== undefined)
      throw new UsageError('give --config or --bootstrap-server/--command-config, not both');
    return { targets: [flagTarget(flags)] };
  }
  const explicitFlags = [flags.caFile, flags.saslMechanism, flags.saslUser].some((v) => v !== undefined);
  if (explicitFlags) throw new UsageError('--ca-file and --sasl-* need --bootstrap-server');
  let named: ClusterTarget[];
  let context: KgwContext | undefined;
  if (flags.config !== undefined) {
    named = loadMonitorConfig(flags.config).clusters.map((c) => ({
      name: c.name,
      connection: c,
      source: flags.config!,
    }));
  } else {
    const file = contextFile(flags.context);
    if (file === undefined)
      throw new UsageError(
        'no cluster given: use --bootstrap-server host:port [--command-config client.properties], --config monitor.yaml, or a context file (kgw.yaml, see docs/cli.md#context)',
      );
    context = loadContext(file);
    named = context.clusters.map((c) => ({ name: c.name, connection: c, source: file }));
  }
  if (flags.cluster === undefined) return { targets: named, ...(context ? { context } : {}) };
  const picked = named.filter((t) => t.name === flags.cluster);
  if (picked.length === 0)
    throw new UsageError(
      `no cluster "${flags.cluster}" in ${named[0]?.source ?? flags.config ?? 'the context'} (known: ${named.map((t) => t.name).join(', ') || 'none'})`,
    );
  return { targets: picked, ...(context ? { context } : {}) };
}

/** Exactly one cluster, for commands that change something (users, acls). */
export function resolveSingleTarget(flags: ConnectionFlags): ClusterTarget {
  const { targets } = resolveTargets(flags);
  if (targets.length !== 1)
    throw new UsageError(
      targets.length === 0
        ? 'the context names no cluster: add one under clusters:, or use --bootstrap-server'
        : `several clusters (${targets.map((t) => t.name).join(', ')}): pick one with --cluster <name>`,
    );
  return targets[0]!;
}

function flagTarget(flags: ConnectionFlags): ClusterTarget {
  const file = flags.commandConfig;
  let input: Record<string, unknown> = {};
  if (file !== undefined)
    input = /^\.ya?ml$/i.test(extname(file)) ? yamlConnection(file) : propertiesConnection(file);
  if (flags.bootstrapServer !== undefined) input.bootstrap = flags.bootstrapServer;
  if (input.bootstrap === undefined)
    throw new UsageError(
      'no bootstrap servers: give --bootstrap-server host:port (or bootstrap.servers in --command-config)',
    );
  if (flags.caFile !== undefined) input.tls = { ...(input.tls as object | undefined), ca: flags.caFile };
  if (flags.saslUser !== undefined || flags.saslMechanism !== undefined) {
    if (flags.saslUser === undefined) throw new UsageError('--sasl-mechanism needs --sasl-user');
    input.sasl = {
      mechanism: (flags.saslMechanism ?? 'SCRAM-SHA-512').toUpperCase(),
      username: flags.saslUser,
      ...flagPassword(flags),
    };
  }
  const where = file ?? 'the command line';
  const parsed = clusterConnectionSchema.safeParse(input);
  if (!parsed.success)
    throw new UsageError(
      parsed.error.issues.map((i) => `${where}: ${formatPath(i.path)}: ${i.message}`).join('\n'),
    );
  const connection = resolveConnectionPaths(parsed.data, file ? dirname(file) : process.cwd());
  const problems = connectionFileProblems(connection);
  if (problems.length > 0)
    throw new UsageError(problems.map((p) => `${where}: ${formatPath(p.path)}: ${p.message}`).join('\n'));
  return { name: flags.cluster ?? connection.bootstrap[0]!, connection, source: where };
}

function flagPassword(flags: ConnectionFlags): { password?: string; passwordFile?: string } {
  if (flags.saslPasswordFile !== undefined && flags.saslPasswordEnv !== undefined)
    throw new UsageError('give --sasl-password-file or --sasl-password-env, not both');
  if (flags.saslPasswordFile !== undefined) return { passwordFile: flags.saslPasswordFile };
  if (flags.saslPasswordEnv !== undefined) {
    const v = process.env[flags.saslPasswordEnv];
    if (v === undefined) throw new UsageError(`environment variable ${flags.saslPasswordEnv} is not set`);
    return { password: v };
  }
  throw new UsageError(
    '--sasl-user needs --sasl-password-file or --sasl-password-env (passwords are never flags)',
  );
}

/** Kafka client properties (with ${env:…} / ${dir:…} references) → connection input. */
function propertiesConnection(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--command-config ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const entries = resolveEntryReferences(parseProperties(text), file);
  const mapped = connectionFromProperties(entries, file);
  if (mapped.problems.length > 0) throw new UsageError(mapped.problems.join('\n'));
  for (const warning of mapped.warnings) process.stderr.write(`warning: ${warning}\n`);
  return mapped.connection;
}

/** kgw's connection shape in YAML (one connection at the top level). */
function yamlConnection(file: string): Record<string, unknown> {
  const optionalBootstrap = clusterConnectionSchema.partial({ bootstrap: true });
  return { ...loadYamlConfig(file, optionalBootstrap) };
}
