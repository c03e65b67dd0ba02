// Kafka's ACL vocabulary with Kafka's own numeric codes (the codes travel on the wire in
// CreateAcls/DescribeAcls/DeleteAcls, so they must match org.apache.kafka.common.acl.* exactly).

export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

export const PatternType = {
  UNKNOWN: 0,
  ANY: 1,
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const;
export type PatternType = (typeof PatternType)[keyof typeof PatternType];

export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
  // KIP-939: a producer may take part in two-phase commit (InitProducerId enable2Pc).
  TWO_PHASE_COMMIT: 15,
} as const;
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation];

export const AclPermissionType = {
  UNKNOWN: 0,
  ANY: 1,
  DENY: 2,
  ALLOW: 3,
} as const;
export type AclPermissionType = (typeof AclPermissionType)[keyof typeof AclPermissionType];

/** The resource name that LITERAL ACLs use to match every resource of a type. */
export const WILDCARD_RESOURCE = '*';
/** The principal that matches every principal. */
export const WILDCARD_PRINCIPAL = 'User:*';
/** The host that matches every host. */
export const WILDCARD_HOST = '*';
/** The only CLUSTER resource name Kafka uses. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';

/** One ACL: Kafka's AclBinding flattened (ResourcePattern + AccessControlEntry). */
export interface AclBinding {
  readonly resourceType: ResourceType;
  readonly resourceName: string;
  readonly patternType: PatternType;
  /** "Type:name", e.g. "User:alice" or "User:*". */
  readonly principal: string;
  /** A client address as Java prints it, or "*". */
  readonly host: string;
  readonly operation: AclOperation;
  readonly permissionType: AclPermissionType;
}

/** Kafka's AclBindingFilter: null name/principal/host mean "any"; ANY codes mean "any". */
export interface AclBindingFilter {
  readonly resourceType: ResourceType;
  readonly resourceName: string | null;
  readonly patternType: PatternType;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: AclOperation;
  readonly permissionType: AclPermissionType;
}

export const ANY_ACL_FILTER: AclBindingFilter = {
  resourceType: ResourceType.ANY,
  resourceName: null,
  patternType: PatternType.ANY,
  principal: null,
  host: null,
  operation: AclOperation.ANY,
  permissionType: AclPermissionType.ANY,
};

function invert<T extends Record<string, number>>(o: T): Map<number, keyof T & string> {
  const m = new Map<number, keyof T & string>();
  for (const [k, v] of Object.entries(o)) m.set(v, k as keyof T & string);
  return m;
}
const RT_NAMES = invert(ResourceType);
const PT_NAMES = invert(PatternType);
const OP_NAMES = invert(AclOperation);
const PERM_NAMES = invert(AclPermissionType);

export const resourceTypeName = (c: number): string => RT_NAMES.get(c) ?? 'UNKNOWN';
export const patternTypeName = (c: number): string => PT_NAMES.get(c) ?? 'UNKNOWN';
export const operationName = (c: number): string => OP_NAMES.get(c) ?? 'UNKNOWN';
export const permissionTypeName = (c: number): string => PERM_NAMES.get(c) ?? 'UNKNOWN';

/** Code for a name (as kafka-acls prints them, case-insensitive); unknown names give UNKNOWN (0), as Kafka's fromString does. */
export function resourceTypeFromName(name: string): ResourceType {
  const v = (ResourceType as Record<string, number>)[name.toUpperCase()];
  return (v ?? 0) as ResourceType;
}
export function patternTypeFromName(name: string): PatternType {
  const v = (PatternType as Record<string, number>)[name.toUpperCase()];
  return (v ?? 0) as PatternType;
}
export function operationFromName(name: string): AclOperation {
  const v = (AclOperation as Record<string, number>)[name.toUpperCase()];
  return (v ?? 0) as AclOperation;
}
export function permissionTypeFromName(name: string): AclPermissionType {
  const v = (AclPermissionType as Record<string, number>)[name.toUpperCase()];
  return (v ?? 0) as AclPermissionType;
}

/** Map a numeric code from the wire to the enum, turning codes this version does not know into UNKNOWN, like Kafka's fromCode. */
export function resourceTypeFromCode(code: number): ResourceType {
  return RT_NAMES.has(code) ? (code as ResourceType) : ResourceType.UNKNOWN;
}
export function patternTypeFromCode(code: number): PatternType {
  return PT_NAMES.has(code) ? (code as PatternType) : PatternType.UNKNOWN;
}
export function operationFromCode(code: number): AclOperation {
  return OP_NAMES.has(code) ? (code as AclOperation) : AclOperation.UNKNOWN;
}
export function permissionTypeFromCode(code: number): AclPermissionType {
  return PERM_NAMES.has(code) ? (code as AclPermissionType) : AclPermissionType.UNKNOWN;
}

/** Kafka's AclBinding.toString-like form, for logs and audit lines. */
export function formatAclBinding(b: AclBinding): string {
  return (
    `(pattern=ResourcePattern(resourceType=${resourceTypeName(b.resourceType)}, name=${b.resourceName}, ` +
    `patternType=${patternTypeName(b.patternType)}), entry=(principal=${b.principal}, host=${b.host}, ` +
    `operation=${operationName(b.operation)}, permissionType=${permissionTypeName(b.permissionType)}))`
  );
}

/** Thrown for ACLs or filters Kafka would reject with INVALID_REQUEST. */
export class InvalidAclError extends Error {
  override readonly name = 'InvalidAclError';
}

/**
 * Kafka's AclControlManager.validateNewAcl: the checks CreateAcls applies before storing an ACL.
 * Throws InvalidAclError (the gateway answers INVALID_REQUEST, error code 42).
 */
export function validateNewAcl(b: AclBinding): void {
  if (
    b.resourceType === ResourceType.UNKNOWN ||
    b.resourceType === ResourceType.ANY ||
    !RT_NAMES.has(b.resourceType)
  )
    throw new InvalidAclError(`Invalid resourceType ${resourceTypeName(b.resourceType)}`);
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED)
    throw new InvalidAclError(`Invalid patternType ${patternTypeName(b.patternType)}`);
  if (b.operation === AclOperation.UNKNOWN || b.operation === AclOperation.ANY || !OP_NAMES.has(b.operation))
    throw new InvalidAclError(`Invalid operation ${operationName(b.operation)}`);
  if (b.permissionType !== AclPermissionType.DENY && b.permissionType !== AclPermissionType.ALLOW)
    throw new InvalidAclError(`Invalid permissionType ${permissionTypeName(b.permissionType)}`);
  if (b.resourceName.length === 0) throw new InvalidAclError('Resource name should not be empty');
  if (!b.principal.includes(':'))
    throw new InvalidAclError(
      `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`,
    );
}
