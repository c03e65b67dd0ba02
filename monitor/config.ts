/**
 * `kgw monitor` configuration: a YAML file validated with zod by the one loader (config/yaml.ts).
 * Errors name the file, the line of the offending node, the path inside the document and the
 * problem, e.g. `monitor.yaml:7: clusters[0].bootstrap: expected at least one host:port`; files a
 * cluster connection names (CA, client certificate and key, password and token files) are checked
 * the same way.
 */
import { z } from 'zod';
import { clusterConnectionShape, connectionFileProblems } from '../client/cluster-connection.js';
import { ConfigError, parseYamlConfig, readConfigFile } from '../config/yaml.js';

const regexString = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

const filterSchema = z
  .object({
    include: z.array(regexString).default(['.*']),
    exclude: z.array(regexString).default([]),
  })
  .strict();

/**
 * A watched cluster: a name plus the one cluster-connection shape (bootstrap, TLS, SASL, client id;
 * client/cluster-connection.ts), so the monitor reaches secured clusters and clusters
 * behind a kgw gateway exactly as the other products do.
 */
export const clusterSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only'),
    ...clusterConnectionShape,
    clientId: z.string().min(1).default('kgw-monitor'),
  })
  .strict();

const probeSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The managed probe topic, one partition per broker (KMinion's `kminion-end-to-end`). */
    topic: z.string().default('kgw-monitor-end-to-end'),
    /** Probe consumer group; excluded from lag collection by the default group filter. */
    group: z.string().default('kgw-monitor-end-to-end'),
    intervalSeconds: z.number().positive().default(1),
    /** A probe acknowledged but not consumed back within this is counted lost (KMinion default 20 s). */
    roundtripSlaSeconds: z.number().positive().default(20),
    ackSlaSeconds: z.number().positive().default(5),
    replicationFactor: z.number().int().positive().optional(),
  })
  .strict();

const mirrorSchema = z
  .object({
    source: z.string(),
    target: z.string(),
    /** Which source topics are mirrored (regexes). */
    topics: filterSchema.default({ include: ['.*'], exclude: [] }),
    /** MM2's DefaultReplicationPolicy prefixes `<source><separator>`; IdentityReplicationPolicy keeps the name. */
    replicationPolicy: z.enum(['default', 'identity']).default('default'),
    separator: z.string().min(1).default('.'),
    /**
     * How replication progress is measured:
     *  - offset-syncs: latest MM2 offset sync (upstream → downstream) plus the target's log end offset;
     *  - log-end-diff: source log end offset minus target log end offset (valid only when the mirror
     *    started the target at source offset 0 and copies every record).
     */
    lagMethod: z.enum(['offset-syncs', 'log-end-diff']).default('offset-syncs'),
    /** Cluster holding the offset-syncs topic (MM2 `offset-syncs.topic.location`, default source). */
    offsetSyncsLocation: z.enum(['source', 'target']).default('source'),
    probe: z.boolean().default(false),
    /** Cross-DC probe topic on the source; its mirrored name on the target follows the policy. */
    probeTopic: z.string().default('kgw-monitor-replication-probe'),
    probeRoundtripSlaSeconds: z.number().positive().default(60),
  })
  .strict();

export const monitorConfigSchema = z
  .object({
    clusters: z.array(clusterSchema).min(1),
    listen: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(9308),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 9308 }),
    collection: z
      .object({
        intervalSeconds: z.number().positive().default(10),
        /** A cycle that has not finished by then is abandoned; scrapes keep serving the last result. */
        deadlineSeconds: z.number().positive().optional(),
        /** Points kept per partition in the offset→time table (Kafka Lag Exporter's max-size). */
        lookupTablePoints: z.number().int().min(2).default(60),
        /** Concurrent ListOffsets/OffsetFetch calls per cluster. */
        concurrency: z.number().int().positive().default(8),
      })
      .strict()
      .default({ intervalSeconds: 10, lookupTablePoints: 60, concurrency: 8 }),
    groups: filterSchema.default({ include: ['.*'], exclude: ['^kgw-monitor-'] }),
    topics: filterSchema.default({ include: ['.*'], exclude: ['^__'] }),
    status: z
      .object({
        /** Burrow `intervals`: commits kept per partition; the window the rules look at. */
        windowSize: z.number().int().min(2).default(10),
      })
      .strict()
      .default({ windowSize: 10 }),
    probes: probeSchema.default({
      enabled: false,
      topic: 'kgw-monitor-end-to-end',
      group: 'kgw-monitor-end-to-end',
      intervalSeconds: 1,
      roundtripSlaSeconds: 20,
      ackSlaSeconds: 5,
    }),
    mirrors: z.array(mirrorSchema).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const names = cfg.clusters.map((c) => c.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i)
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `duplicate cluster "${n}"` });
    });
    cfg.mirrors.forEach((m, i) => {
      for (const key of ['source', 'target'] as const) {
        if (!names.includes(m[key]))
          ctx.addIssue({
            code: 'custom',
            path: ['mirrors', i, key],
            message: `unknown cluster "${m[key]}" (known: ${names.join(', ')})`,
          });
      }
      if (m.source === m.target)
        ctx.addIssue({
          code: 'custom',
          path: ['mirrors', i, 'target'],
          message: 'source and target are equal',
        });
    });
  });

export type MonitorConfig = z.infer<typeof monitorConfigSchema>;
export type ClusterConfig = MonitorConfig['clusters'][number];
export type MirrorConfig = MonitorConfig['mirrors'][number];
export type FilterConfig = z.infer<typeof filterSchema>;

export { ConfigError };

/**
 * Parses and validates YAML text; `file` names it in messages, and relative file paths in cluster
 * connections (CA, certificates, password and token files) are relative to its directory.
 */
export function parseMonitorConfig(text: string, file: string): MonitorConfig {
  // The loader has made the connections' file paths absolute before this check reads them.
  return parseYamlConfig(text, file, monitorConfigSchema, (c) =>
    c.clusters.flatMap((cluster, i) => connectionFileProblems(cluster, ['clusters', i])),
  );
}

export function loadMonitorConfig(file: string): MonitorConfig {
  return parseMonitorConfig(readConfigFile(file), file);
}

/** Compiled include/exclude filter: a name passes when some include matches and no exclude does. */
export function compileFilter(f: FilterConfig): (name: string) => boolean {
  const inc = f.include.map((s) => new RegExp(s));
  const exc = f.exclude.map((s) => new RegExp(s));
  return (name) => inc.some((r) => r.test(name)) && !exc.some((r) => r.test(name));
}
