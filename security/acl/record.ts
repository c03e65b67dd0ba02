// Record format for persisting ACLs in a compacted Kafka topic (the gateway owns the I/O).
//   key   = "acl:" + JSON array of the binding's seven fields (names, not codes), e.g.
//           acl:["TOPIC","orders","LITERAL","User:alice","*","READ","ALLOW"]
//           The key is the canonical identity of the ACL, so compaction keeps one record per ACL,
//           creating the same ACL twice is idempotent, and deleting it is a tombstone on that key.
//   value = UTF-8 JSON {"v":1,"acl":{...}} (names, not codes, so the topic is readable with
//           kafka-console-consumer); null value (tombstone) = the ACL was deleted.
import { z } from 'zod';
import type { AclBinding } from './types.js';
import {
  operationFromName,
  operationName,
  patternTypeFromName,
  patternTypeName,
  permissionTypeFromName,
  permissionTypeName,
  resourceTypeFromName,
  resourceTypeName,
  validateNewAcl,
} from './types.js';

export const ACL_KEY_PREFIX = 'acl:';
export const ACL_RECORD_VERSION = 1;

export class AclRecordError extends Error {
  override readonly name = 'AclRecordError';
}

/** Canonical record key of an ACL. */
export function aclKey(b: AclBinding): string {
  return (
    ACL_KEY_PREFIX +
    JSON.stringify([
      resourceTypeName(b.resourceType),
      b.resourceName,
      patternTypeName(b.patternType),
      b.principal,
      b.host,
      operationName(b.operation),
      permissionTypeName(b.permissionType),
    ])
  );
}

const aclJson = z.object({
  resourceType: z.string(),
  resourceName: z.string(),
  patternType: z.string(),
  principal: z.string(),
  host: z.string(),
  operation: z.string(),
  permissionType: z.string(),
});
const valueJson = z.object({ v: z.number().int(), acl: aclJson });

function fromNames(a: z.infer<typeof aclJson>): AclBinding {
  const b: AclBinding = {
    resourceType: resourceTypeFromName(a.resourceType),
    resourceName: a.resourceName,
    patternType: patternTypeFromName(a.patternType),
    principal: a.principal,
    host: a.host,
    operation: operationFromName(a.operation),
    permissionType: permissionTypeFromName(a.permissionType),
  };
  try {
    validateNewAcl(b);
  } catch (e) {
    throw new AclRecordError(`invalid ACL in record: ${(e as Error).message}`);
  }
  return b;
}

/** Parse a key back into its binding (lets a tombstone be applied without its value). */
export function parseAclKey(key: string): AclBinding {
  if (!key.startsWith(ACL_KEY_PREFIX)) throw new AclRecordError(`not an ACL key: ${key}`);
  let arr: unknown;
  try {
    arr = JSON.parse(key.slice(ACL_KEY_PREFIX.length));
  } catch {
    throw new AclRecordError(`malformed ACL key: ${key}`);
  }
  const parsed = z
    .tuple([z.string(), z.string(), z.string(), z.string(), z.string(), z.string(), z.string()])
    .safeParse(arr);
  if (!parsed.success) throw new AclRecordError(`malformed ACL key: ${key}`);
  const [resourceType, resourceName, patternType, principal, host, operation, permissionType] = parsed.data;
  return fromNames({ resourceType, resourceName, patternType, principal, host, operation, permissionType });
}

export function encodeAclRecord(b: AclBinding): { key: string; value: Buffer } {
  const value = {
    v: ACL_RECORD_VERSION,
    acl: {
      resourceType: resourceTypeName(b.resourceType),
      resourceName: b.resourceName,
      patternType: patternTypeName(b.patternType),
      principal: b.principal,
      host: b.host,
      operation: operationName(b.operation),
      permissionType: permissionTypeName(b.permissionType),
    },
  };
  return { key: aclKey(b), value: Buffer.from(JSON.stringify(value), 'utf8') };
}

/** A tombstone for the ACL: same key, null value. */
export function aclTombstone(b: AclBinding): { key: string; value: null } {
  return { key: aclKey(b), value: null };
}

/**
 * Decode one record of the ACL topic. Returns {op:'put'} or {op:'delete'} (tombstone). A value whose
 * version is newer than this code knows is rejected rather than half-understood.
 */
export function decodeAclRecord(
  key: string,
  value: Uint8Array | null,
): { op: 'put'; key: string; acl: AclBinding } | { op: 'delete'; key: string; acl: AclBinding } {
  if (value === null) return { op: 'delete', key, acl: parseAclKey(key) };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value).toString('utf8'));
  } catch {
    throw new AclRecordError(`ACL record ${key}: value is not JSON`);
  }
  const parsed = valueJson.safeParse(json);
  if (!parsed.success) throw new AclRecordError(`ACL record ${key}: bad shape`);
  if (parsed.data.v !== ACL_RECORD_VERSION)
    throw new AclRecordError(`ACL record ${key}: unsupported version ${parsed.data.v}`);
  const acl = fromNames(parsed.data.acl);
  if (aclKey(acl) !== key) throw new AclRecordError(`ACL record ${key}: key does not match value`);
  return { op: 'put', key, acl };
}
