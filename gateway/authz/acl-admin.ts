/**
 * CreateAcls, DescribeAcls and DeleteAcls answered by the gateway, so `kafka-acls.sh` and
 * Admin#createAcls/describeAcls/deleteAcls manage the gateway's ACLs. As in Kafka: ALTER on the
 * cluster to create or delete, DESCRIBE on the cluster to list; invalid ACLs and filters are
 * INVALID_REQUEST. Changes are written to the security topic (acks=all) before the answer, which
 * every gateway instance tails, so all of them enforce a change within a second.
 */
import { ErrorCode } from '../../protocol/errors.js';
import {
  ApiKey,
  encodeResponseFrame,
  type DescribeAclsResponseDescribeAclsResource,
  type RequestFrame,
} from '../../protocol/index.js';
import {
  AclOperation,
  InvalidAclError,
  aclTombstone,
  encodeAclRecord,
  formatAclBinding,
  operationFromCode,
  patternTypeFromCode,
  permissionTypeFromCode,
  resourceTypeFromCode,
  resourceTypeName,
  validateAclFilter,
  validateNewAcl,
  CLUSTER_RESOURCE_NAME,
  ResourceType,
  type AclAuthorizer,
  type AclBinding,
  type AclBindingFilter,
} from '../../security/acl/index.js';
import type { Audit } from '../audit.js';
import type { SecurityTopic } from '../credentials/security-topic.js';
import type { LocalApi, SessionInfo } from '../session/client-session.js';
import { RequestAuthz, type AuthzDeps } from './context.js';
import { errorMessage } from './errors.js';

export interface AclAdminDeps {
  authorizer: AclAuthorizer;
  audit: Audit;
  topic: Pick<SecurityTopic, 'write'>;
  authz: AuthzDeps;
}

interface FilterFields {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

export function toFilter(f: FilterFields): AclBindingFilter {
  return {
    resourceType: resourceTypeFromCode(f.resourceTypeFilter),
    resourceName: f.resourceNameFilter,
    patternType: patternTypeFromCode(f.patternTypeFilter),
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: operationFromCode(f.operation),
    permissionType: permissionTypeFromCode(f.permissionType),
  };
}

/** Kafka's extra CreateAcls checks on top of validateNewAcl (AclApis). */
function validateCreation(b: AclBinding): void {
  if (b.resourceName.length === 0) throw new InvalidAclError('Invalid empty resource name specified');
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_RESOURCE_NAME)
    throw new InvalidAclError('The only valid name for the CLUSTER resource is kafka-cluster');
  validateNewAcl(b);
}

function allowedOnCluster(deps: AclAdminDeps, session: SessionInfo, api: string, op: AclOperation): boolean {
  return new RequestAuthz(deps.authz, session, api).cluster(op);
}

export function createAcls(deps: AclAdminDeps): LocalApi {
  return async (frame: RequestFrame, session) => {
    const req = frame.body(ApiKey.CreateAcls);
    const reply = (results: { errorCode: number; errorMessage: string | null }[]): Buffer =>
      encodeResponseFrame(ApiKey.CreateAcls, frame.apiVersion, frame.correlationId, {
        throttleTimeMs: 0,
        results,
      });
    if (!allowedOnCluster(deps, session, 'CreateAcls', AclOperation.ALTER)) {
      const code = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
      return reply(req.creations.map(() => ({ errorCode: code, errorMessage: errorMessage(code) })));
    }
    const results: { errorCode: number; errorMessage: string | null }[] = [];
    const valid: { index: number; binding: AclBinding }[] = [];
    req.creations.forEach((c, index) => {
      const binding: AclBinding = {
        resourceType: resourceTypeFromCode(c.resourceType),
        resourceName: c.resourceName,
        patternType: patternTypeFromCode(c.resourcePatternType),
        principal: c.principal,
        host: c.host,
        operation: operationFromCode(c.operation),
        permissionType: permissionTypeFromCode(c.permissionType),
      };
      try {
        validateCreation(binding);
        valid.push({ index, binding });
        results.push({ errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (e) {
        if (!(e instanceof InvalidAclError)) throw e;
        results.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: e.message });
      }
    });
    if (valid.length > 0) {
      try {
        await deps.topic.write(valid.map((v) => encodeAclRecord(v.binding)));
        for (const v of valid)
          deps.audit.adminChange(
            session,
            'CreateAcls',
            resourceTypeName(v.binding.resourceType),
            v.binding.resourceName,
            `created ${formatAclBinding(v.binding)}`,
          );
      } catch (e) {
        for (const v of valid)
          results[v.index] = {
            errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
            errorMessage: `cannot store ACL: ${(e as Error).message}`,
          };
      }
    }
    return reply(results);
  };
}

export function describeAcls(deps: AclAdminDeps): LocalApi {
  return async (frame: RequestFrame, session) => {
    const req = frame.body(ApiKey.DescribeAcls);
    const reply = (
      errorCode: number,
      message: string | null,
      resources: DescribeAclsResponseDescribeAclsResource[],
    ): Buffer =>
      encodeResponseFrame(ApiKey.DescribeAcls, frame.apiVersion, frame.correlationId, {
        throttleTimeMs: 0,
        errorCode,
        errorMessage: message,
        resources,
      });
    if (!allowedOnCluster(deps, session, 'DescribeAcls', AclOperation.DESCRIBE)) {
      const code = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
      return reply(code, errorMessage(code), []);
    }
    let acls: AclBinding[];
    try {
      acls = deps.authorizer.acls(toFilter(req));
    } catch (e) {
      if (!(e instanceof InvalidAclError)) throw e;
      return reply(ErrorCode.INVALID_REQUEST, e.message, []);
    }
    // One entry per resource pattern, as Kafka groups them.
    const byPattern = new Map<string, DescribeAclsResponseDescribeAclsResource>();
    for (const a of acls) {
      const k = `${a.resourceType}\u0000${a.patternType}\u0000${a.resourceName}`;
      let r = byPattern.get(k);
      if (!r) {
        r = {
          resourceType: a.resourceType,
          resourceName: a.resourceName,
          patternType: a.patternType,
          acls: [],
        };
        byPattern.set(k, r);
      }
      r.acls.push({
        principal: a.principal,
        host: a.host,
        operation: a.operation,
        permissionType: a.permissionType,
      });
    }
    return reply(ErrorCode.NONE, null, [...byPattern.values()]);
  };
}

export function deleteAcls(deps: AclAdminDeps): LocalApi {
  return async (frame: RequestFrame, session) => {
    const req = frame.body(ApiKey.DeleteAcls);
    type FilterResult = Parameters<
      typeof encodeResponseFrame<typeof ApiKey.DeleteAcls>
    >[3]['filterResults'][number];
    const reply = (filterResults: FilterResult[]): Buffer =>
      encodeResponseFrame(ApiKey.DeleteAcls, frame.apiVersion, frame.correlationId, {
        throttleTimeMs: 0,
        filterResults,
      });
    if (!allowedOnCluster(deps, session, 'DeleteAcls', AclOperation.ALTER)) {
      const code = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
      return reply(
        req.filters.map(() => ({ errorCode: code, errorMessage: errorMessage(code), matchingAcls: [] })),
      );
    }
    const results: FilterResult[] = [];
    const toDelete = new Map<string, AclBinding>();
    const matchedPerFilter: AclBinding[][] = [];
    for (const f of req.filters) {
      const filter = toFilter(f);
      try {
        validateAclFilter(filter);
        const matched = deps.authorizer.acls(filter);
        matchedPerFilter.push(matched);
        for (const m of matched) toDelete.set(encodeAclRecord(m).key, m);
        results.push({ errorCode: ErrorCode.NONE, errorMessage: null, matchingAcls: [] });
      } catch (e) {
        if (!(e instanceof InvalidAclError)) throw e;
        matchedPerFilter.push([]);
        results.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: e.message, matchingAcls: [] });
      }
    }
    let failure: string | undefined;
    if (toDelete.size > 0) {
      try {
        await deps.topic.write([...toDelete.values()].map(aclTombstone));
        for (const acl of toDelete.values())
          deps.audit.adminChange(
            session,
            'DeleteAcls',
            resourceTypeName(acl.resourceType),
            acl.resourceName,
            `deleted ${formatAclBinding(acl)}`,
          );
      } catch (e) {
        failure = `cannot delete ACL: ${(e as Error).message}`;
      }
    }
    matchedPerFilter.forEach((matched, i) => {
      results[i]!.matchingAcls = matched.map((m) => ({
        errorCode: failure ? ErrorCode.UNKNOWN_SERVER_ERROR : ErrorCode.NONE,
        errorMessage: failure ?? null,
        resourceType: m.resourceType,
        resourceName: m.resourceName,
        patternType: m.patternType,
        principal: m.principal,
        host: m.host,
        operation: m.operation,
        permissionType: m.permissionType,
      }));
    });
    return reply(results);
  };
}
