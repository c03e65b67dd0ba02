/**
 * kafka-acls.sh's command-line vocabulary (AclCommand) turned into Kafka ACL bindings and filters:
 * resource options (--topic, --group, --cluster-resource, --transactional-id, --delegation-token,
 * --user-principal), --resource-pattern-type, --allow-/--deny-principal and -host, --operation, and
 * the --producer / --consumer shortcuts. Names are accepted as Kafka's tool accepts them
 * ("DescribeConfigs", "describe-configs", "DESCRIBE_CONFIGS"); a principal without a type is a User.
 */
import {
  AclOperation,
  AclPermissionType,
  CLUSTER_RESOURCE_NAME,
  PatternType,
  ResourceType,
  WILDCARD_HOST,
  type AclBinding,
  type AclBindingFilter,
} from '../../security/acl/index.js';
import { UsageError } from './errors.js';

export interface AclFlags {
  topic?: string[];
  group?: string[];
  clusterResource?: boolean;
  transactionalId?: string[];
  delegationToken?: string[];
  userPrincipal?: string[];
  resourcePatternType?: string;
  allowPrincipal?: string[];
  denyPrincipal?: string[];
  allowHost?: string[];
  denyHost?: string[];
  operation?: string[];
  principal?: string[];
  producer?: boolean;
  consumer?: boolean;
}

export interface Resource {
  resourceType: ResourceType;
  name: string;
}

const name = <T extends Record<string, number>>(table: T, code: number): string =>
  Object.entries(table).find(([, v]) => v === code)?.[0] ?? `UNKNOWN(${code})`;
export const resourceTypeName = (code: number): string => name(ResourceType, code);
export const patternTypeName = (code: number): string => name(PatternType, code);
export const operationName = (code: number): string => name(AclOperation, code);
export const permissionName = (code: number): string => name(AclPermissionType, code);

const squash = (s: string): string => s.replace(/[-_\s]/g, '').toUpperCase();

function lookup<T extends Record<string, number>>(
  table: T,
  text: string,
  what: string,
  allowed: string[],
): number {
  const hit = Object.entries(table).find(([k]) => squash(k) === squash(text) && allowed.includes(k));
  if (!hit)
    throw new UsageError(
      `${what} "${text}": expected one of ${allowed.map((a) => a.toLowerCase()).join(', ')}`,
    );
  return hit[1];
}

/** Kafka's AclEntry.supportedOperations per resource type (a test compares it with Kafka's). */
export const SUPPORTED_OPERATIONS: Readonly<Record<number, readonly string[]>> = {
  [ResourceType.TOPIC]: [
    'READ',
    'WRITE',
    'CREATE',
    'DESCRIBE',
    'DELETE',
    'ALTER',
    'DESCRIBE_CONFIGS',
    'ALTER_CONFIGS',
  ],
  [ResourceType.GROUP]: ['READ', 'DESCRIBE', 'DELETE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  [ResourceType.CLUSTER]: [
    'CREATE',
    'CLUSTER_ACTION',
    'DESCRIBE_CONFIGS',
    'ALTER_CONFIGS',
    'IDEMPOTENT_WRITE',
    'ALTER',
    'DESCRIBE',
  ],
  [ResourceType.TRANSACTIONAL_ID]: ['DESCRIBE', 'WRITE', 'TWO_PHASE_COMMIT'],
  [ResourceType.DELEGATION_TOKEN]: ['DESCRIBE'],
  [ResourceType.USER]: ['CREATE_TOKENS', 'DESCRIBE_TOKENS'],
};

export function resources(f: AclFlags): Resource[] {
  const out: Resource[] = [];
  const add = (type: ResourceType, names: string[] | undefined): void =>
    names?.forEach((n) => out.push({ resourceType: type, name: n }));
  add(ResourceType.TOPIC, f.topic);
  add(ResourceType.GROUP, f.group);
  if (f.clusterResource) out.push({ resourceType: ResourceType.CLUSTER, name: CLUSTER_RESOURCE_NAME });
  add(ResourceType.TRANSACTIONAL_ID, f.transactionalId);
  add(ResourceType.DELEGATION_TOKEN, f.delegationToken);
  add(ResourceType.USER, f.userPrincipal);
  return out;
}

/** "alice" → "User:alice"; "Group:ops" and "User:*" stay. */
export const principal = (p: string): string => (/^[A-Za-z]+:/.test(p) ? p : `User:${p}`);

/** Pattern type for adding (LITERAL or PREFIXED) or for a filter (also ANY, MATCH). Default LITERAL. */
export function patternType(f: AclFlags, forFilter: boolean): PatternType {
  const allowed = forFilter ? ['ANY', 'MATCH', 'LITERAL', 'PREFIXED'] : ['LITERAL', 'PREFIXED'];
  return f.resourcePatternType === undefined
    ? PatternType.LITERAL
    : (lookup(PatternType, f.resourcePatternType, '--resource-pattern-type', allowed) as PatternType);
}

/** Operations per resource: --operation (default ALL), or the --producer / --consumer sets. */
function operationsFor(f: AclFlags, r: Resource): AclOperation[] {
  if (f.producer || f.consumer) {
    const ops: string[] = [];
    if (r.resourceType === ResourceType.TOPIC) {
      if (f.producer) ops.push('WRITE', 'DESCRIBE', 'CREATE');
      if (f.consumer) ops.push('READ', 'DESCRIBE');
    } else if (r.resourceType === ResourceType.GROUP && f.consumer) ops.push('READ');
    else if (r.resourceType === ResourceType.TRANSACTIONAL_ID && f.producer) ops.push('WRITE', 'DESCRIBE');
    return [...new Set(ops)].map((o) => AclOperation[o as keyof typeof AclOperation]);
  }
  const given = f.operation?.length ? f.operation : ['ALL'];
  return given.map((o) => {
    const allowed = ['ALL', ...SUPPORTED_OPERATIONS[r.resourceType]!];
    const everything = Object.keys(AclOperation).filter((k) => k !== 'UNKNOWN' && k !== 'ANY');
    const code = lookup(AclOperation, o, '--operation', everything) as AclOperation;
    if (!allowed.includes(operationName(code)))
      throw new UsageError(
        `${resourceTypeName(r.resourceType)} resources support only ${allowed.join(', ')}; not ${operationName(code)}`,
      );
    return code;
  });
}

/** The bindings `kgw acls add` creates: resources × (principal × host × operation) for allow and deny. */
export function bindingsToAdd(f: AclFlags): AclBinding[] {
  const rs = resources(f);
  if (rs.length === 0)
    throw new UsageError(
      'name a resource: --topic, --group, --cluster-resource, --transactional-id, --delegation-token or --user-principal',
    );
  if (f.consumer && !rs.some((r) => r.resourceType === ResourceType.GROUP))
    throw new UsageError('--consumer needs --group as well (consumers read their group)');
  if ((f.producer || f.consumer) && f.operation?.length)
    throw new UsageError('--producer/--consumer replace --operation: give one of them');
  const allow = f.allowPrincipal ?? [];
  const deny = f.denyPrincipal ?? [];
  if (allow.length + deny.length === 0)
    throw new UsageError('give --allow-principal or --deny-principal (e.g. User:alice)');
  const pattern = patternType(f, false);
  const out: AclBinding[] = [];
  for (const r of rs)
    for (const operation of operationsFor(f, r))
      for (const [principals, hosts, permissionType] of [
        [allow, f.allowHost, AclPermissionType.ALLOW],
        [deny, f.denyHost, AclPermissionType.DENY],
      ] as const)
        for (const p of principals)
          for (const host of hosts?.length ? hosts : [WILDCARD_HOST])
            out.push({
              resourceType: r.resourceType,
              resourceName: r.name,
              patternType: pattern,
              principal: principal(p),
              host,
              operation,
              permissionType,
            });
  return out;
}

/** Filters for `kgw acls list` and `kgw acls remove`. Without principals: every ACL of the resource(s). */
export function filters(f: AclFlags, opts: { requireResource: boolean }): AclBindingFilter[] {
  const rs = resources(f);
  if (opts.requireResource && rs.length === 0)
    throw new UsageError('name the resource whose ACLs to remove (--topic, --group, --cluster-resource, …)');
  const pattern =
    rs.length === 0 && f.resourcePatternType === undefined ? PatternType.ANY : patternType(f, true);
  const targets: (Resource | undefined)[] = rs.length ? rs : [undefined];
  const named = [
    ...(f.allowPrincipal ?? []).map((p) => [p, AclPermissionType.ALLOW, f.allowHost] as const),
    ...(f.denyPrincipal ?? []).map((p) => [p, AclPermissionType.DENY, f.denyHost] as const),
    ...(f.principal ?? []).map((p) => [p, AclPermissionType.ANY, undefined] as const),
  ];
  const out: AclBindingFilter[] = [];
  for (const r of targets) {
    const base = {
      resourceType: r?.resourceType ?? ResourceType.ANY,
      resourceName: r?.name ?? null,
      patternType: pattern,
    };
    const ops: AclOperation[] =
      f.operation?.length && r
        ? operationsFor(f, r)
        : f.operation?.length
          ? f.operation.map(
              (o) => lookup(AclOperation, o, '--operation', Object.keys(AclOperation)) as AclOperation,
            )
          : [AclOperation.ANY];
    if (named.length === 0) {
      for (const operation of ops)
        out.push({ ...base, principal: null, host: null, operation, permissionType: AclPermissionType.ANY });
      continue;
    }
    for (const [p, permissionType, hosts] of named)
      for (const host of hosts?.length ? hosts : [null])
        for (const operation of ops)
          out.push({
            ...base,
            principal: principal(p),
            host,
            operation,
            permissionType: permissionType as AclPermissionType,
          });
  }
  return out;
}
