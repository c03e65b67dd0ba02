/**
 * The `kgw` context file: what the operator commands talk to, written once instead of repeated as
 * flags (docs/cli.md#context). Clusters use the one cluster-connection shape the monitor uses, so a
 * monitor's `clusters:` section can be pasted in as it is.
 *
 *   clusters:                       # Kafka clusters, directly or through a kgw gateway
 *     - name: east
 *       bootstrap: gateway-east:9192
 *       tls: { ca: ca.pem }
 *       sasl: { mechanism: SCRAM-SHA-512, username: admin, password: ${env:KGW_ADMIN_PASSWORD} }
 *   gateways:                       # a gateway's HTTP port: /readyz and /metrics
 *     - { name: gateway-east, url: http://gateway-east:9404 }
 *   mirrors:                        # the mirror's REST API (Kafka Connect's shapes) and /metrics
 *     - { name: mirror, url: http://mirror:8083 }
 *   monitor: http://monitor:9308    # optional: a running monitor's history for time lag and status
 *
 * Found at --context <file>, else $KGW_CONTEXT, else ./kgw.yaml, else ~/.config/kgw/kgw.yaml.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { clusterConnectionShape, connectionFileProblems } from '../../client/cluster-connection.js';
import { loadYamlConfig } from '../../config/yaml.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only');
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'expected an http:// or https:// URL');

export const contextSchema = z
  .object({
    clusters: z.array(z.object({ name, ...clusterConnectionShape }).strict()).default([]),
    gateways: z.array(z.object({ name, url: httpUrl }).strict()).default([]),
    mirrors: z.array(z.object({ name, url: httpUrl }).strict()).default([]),
    monitor: httpUrl.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const key of ['clusters', 'gateways', 'mirrors'] as const) {
      const names = c[key].map((x) => x.name);
      names.forEach((n, i) => {
        if (names.indexOf(n) !== i)
          ctx.addIssue({ code: 'custom', path: [key, i, 'name'], message: `duplicate name "${n}"` });
      });
    }
  });

export type KgwContext = z.infer<typeof contextSchema> & { file: string };

/** The context file to read: the flag, $KGW_CONTEXT, ./kgw.yaml, ~/.config/kgw/kgw.yaml; or none. */
export function contextFile(flag: string | undefined): string | undefined {
  if (flag !== undefined) return flag;
  if (process.env.KGW_CONTEXT) return process.env.KGW_CONTEXT;
  for (const candidate of [join(process.cwd(), 'kgw.yaml'), join(homedir(), '.config', 'kgw', 'kgw.yaml')])
    if (existsSync(candidate)) return candidate;
  return undefined;
}

export function loadContext(file: string): KgwContext {
  // The loader has made the connections' file paths absolute (relative to the context file).
  const context = loadYamlConfig(file, contextSchema, (c) =>
    c.clusters.flatMap((cluster, i) => connectionFileProblems(cluster, ['clusters', i])),
  );
  return { ...context, file };
}
