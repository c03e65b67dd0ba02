// AclBindingFilter semantics (Kafka's ResourcePatternFilter + AccessControlEntryFilter), used by
// DescribeAcls and DeleteAcls. Filters never expand wildcards in principal/host: "User:*" as a filter
// principal matches only ACLs whose principal is literally "User:*".
import type { AclBinding, AclBindingFilter } from './types.js';
import {
  AclOperation,
  AclPermissionType,
  InvalidAclError,
  PatternType,
  ResourceType,
  WILDCARD_RESOURCE,
} from './types.js';

/** Does the resource-pattern half of the filter match this binding's pattern? */
export function patternFilterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (
    f.patternType !== PatternType.ANY &&
    f.patternType !== PatternType.MATCH &&
    f.patternType !== b.patternType
  )
    return false;
  if (f.resourceName == null) return true;
  if (f.patternType === PatternType.ANY || f.patternType === b.patternType)
    return f.resourceName === b.resourceName;
  // MATCH: every stored pattern that would apply to a resource with this exact name.
  switch (b.patternType) {
    case PatternType.LITERAL:
      return f.resourceName === b.resourceName || b.resourceName === WILDCARD_RESOURCE;
    case PatternType.PREFIXED:
      return f.resourceName.startsWith(b.resourceName);
    default:
      return false;
  }
}

/** Does the entry half of the filter match this binding's entry? */
export function entryFilterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.principal != null && f.principal !== b.principal) return false;
  if (f.host != null && f.host !== b.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false;
  return f.permissionType === AclPermissionType.ANY || f.permissionType === b.permissionType;
}

export function aclFilterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  return patternFilterMatches(f, b) && entryFilterMatches(f, b);
}

/**
 * Kafka's validateFilter (AclControlManager): a filter with an UNKNOWN code in any field is rejected
 * with INVALID_REQUEST rather than silently matching nothing.
 */
export function validateAclFilter(f: AclBindingFilter): void {
  if (f.resourceType === ResourceType.UNKNOWN || f.patternType === PatternType.UNKNOWN)
    throw new InvalidAclError('Unknown patternFilter.');
  if (f.operation === AclOperation.UNKNOWN || f.permissionType === AclPermissionType.UNKNOWN)
    throw new InvalidAclError('Unknown entryFilter.');
}
