/**
 * ACL listings in kafka-acls.sh's own words (AclCommand), so what an operator knows from Kafka's tool
 * reads the same here:
 *
 *   Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`:
 *   	(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)
 */
import type { AclBinding } from '../../security/acl/index.js';
import { operationName, patternTypeName, permissionName, resourceTypeName } from '../support/acl-spec.js';

export interface ResourceAcls {
  resourceType: number;
  resourceName: string;
  patternType: number;
  acls: { principal: string; host: string; operation: number; permissionType: number }[];
}

export const resourcePattern = (
  r: Pick<ResourceAcls, 'resourceType' | 'resourceName' | 'patternType'>,
): string =>
  `ResourcePattern(resourceType=${resourceTypeName(r.resourceType)}, name=${r.resourceName}, patternType=${patternTypeName(r.patternType)})`;

export const aclEntry = (a: ResourceAcls['acls'][number]): string =>
  `(principal=${a.principal}, host=${a.host}, operation=${operationName(a.operation)}, permissionType=${permissionName(a.permissionType)})`;

function block(heading: string, r: ResourceAcls): string {
  return `${heading} \`${resourcePattern(r)}\`:\n${r.acls.map((a) => `\t${aclEntry(a)}`).join('\n')}\n`;
}

/** Resources in a stable order (type, pattern, name), entries sorted, as one listing. */
export function renderAclListing(
  resources: readonly ResourceAcls[],
  heading = 'Current ACLs for resource',
): string {
  return sortResources(resources)
    .map((r) => block(heading, r))
    .join('\n');
}

export function sortResources(resources: readonly ResourceAcls[]): ResourceAcls[] {
  return [...resources]
    .map((r) => ({ ...r, acls: [...r.acls].sort((a, b) => aclEntry(a).localeCompare(aclEntry(b))) }))
    .sort((a, b) => resourcePattern(a).localeCompare(resourcePattern(b)));
}

/** Bindings grouped by resource pattern. */
export function groupBindings(bindings: readonly AclBinding[]): ResourceAcls[] {
  const byPattern = new Map<string, ResourceAcls>();
  for (const b of bindings) {
    const key = `${b.resourceType}\0${b.patternType}\0${b.resourceName}`;
    let r = byPattern.get(key);
    if (!r)
      byPattern.set(
        key,
        (r = {
          resourceType: b.resourceType,
          resourceName: b.resourceName,
          patternType: b.patternType,
          acls: [],
        }),
      );
    r.acls.push({
      principal: b.principal,
      host: b.host,
      operation: b.operation,
      permissionType: b.permissionType,
    });
  }
  return [...byPattern.values()];
}

export function aclsJson(resources: readonly ResourceAcls[]) {
  return sortResources(resources).map((r) => ({
    resourceType: resourceTypeName(r.resourceType),
    name: r.resourceName,
    patternType: patternTypeName(r.patternType),
    acls: r.acls.map((a) => ({
      principal: a.principal,
      host: a.host,
      operation: operationName(a.operation),
      permissionType: permissionName(a.permissionType),
    })),
  }));
}
