/**
 * One request's view of the authorizer: the session's principal and Java-formatted host, a
 * per-request decision cache (a Produce to 50 partitions of one topic asks once), and the side
 * effects of a decision — denials counted in metrics and written to the audit log, allowed
 * decisions sampled into it.
 */
import {
  AclOperation,
  CLUSTER_RESOURCE_NAME,
  ResourceType,
  javaHostAddress,
  operationName,
  resourceTypeName,
  type AclAuthorizer,
} from '../../security/acl/index.js';
import type { Audit } from '../audit.js';
import type { GatewayMetrics } from '../metrics.js';
import type { SessionInfo } from '../session/client-session.js';

export interface AuthzDeps {
  authorizer: AclAuthorizer;
  audit: Audit;
  metrics: GatewayMetrics;
  /** Topics no client may touch through the gateway (its own security and audit topics). */
  reservedTopics: ReadonlySet<string>;
}

/** Kafka's AclEntry.supportedOperations per resource type (drives the *AuthorizedOperations bitfields). */
const SUPPORTED_OPS: Readonly<Record<number, readonly AclOperation[]>> = {
  [ResourceType.TOPIC]: [
    AclOperation.READ,
    AclOperation.WRITE,
    AclOperation.CREATE,
    AclOperation.DESCRIBE,
    AclOperation.DELETE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
  ],
  [ResourceType.GROUP]: [
    AclOperation.READ,
    AclOperation.DESCRIBE,
    AclOperation.DELETE,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
  ],
  [ResourceType.CLUSTER]: [
    AclOperation.CREATE,
    AclOperation.CLUSTER_ACTION,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
  ],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
};

export class RequestAuthz {
  readonly principal: string;
  readonly host: string;
  private readonly cache = new Map<string, boolean>();

  constructor(
    private readonly deps: AuthzDeps,
    readonly session: SessionInfo,
    /** API name for audit and metrics, e.g. "Produce". */
    readonly api: string,
  ) {
    this.principal = session.identity?.principal ?? 'User:ANONYMOUS';
    this.host = javaHostAddress(session.clientAddress);
  }

  /**
   * Kafka's authHelper.authorize. `logIfDenied=false` is for checks Kafka itself does not log
   * (a cluster-wide permission tried before the per-resource one, listings filtered silently).
   */
  can(type: ResourceType, name: string, op: AclOperation, logIfDenied = true): boolean {
    const key = `${type}\u0000${op}\u0000${name}`;
    let ok = this.cache.get(key);
    if (ok === undefined) {
      ok =
        !(type === ResourceType.TOPIC && this.deps.reservedTopics.has(name)) &&
        this.deps.authorizer.authorize({
          principal: this.principal,
          host: this.host,
          resourceType: type,
          resourceName: name,
          operation: op,
        }).result === 'ALLOWED';
      this.cache.set(key, ok);
      if (ok)
        this.deps.audit.allowed(this.session, this.api, resourceTypeName(type), name, operationName(op));
      else if (logIfDenied) this.denied(type, name, op);
    }
    return ok;
  }

  /** The decision `can` would take, without recording it (no cache, audit or metrics). */
  wouldAllow(type: ResourceType, name: string, op: AclOperation): boolean {
    return (
      !(type === ResourceType.TOPIC && this.deps.reservedTopics.has(name)) &&
      this.deps.authorizer.authorize({
        principal: this.principal,
        host: this.host,
        resourceType: type,
        resourceName: name,
        operation: op,
      }).result === 'ALLOWED'
    );
  }

  /** One of the gateway's own topics, which no client sees or touches whatever its ACLs. */
  reserved(topic: string): boolean {
    return this.deps.reservedTopics.has(topic);
  }

  cluster(op: AclOperation, logIfDenied = true): boolean {
    return this.can(ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, op, logIfDenied);
  }

  /** Kafka's authorizeByResourceType: allowed `op` on at least one resource of the type. */
  canAny(type: ResourceType, op: AclOperation): boolean {
    return this.deps.authorizer.authorizeAny(this.principal, this.host, type, op) === 'ALLOWED';
  }

  /** Records a denial decided elsewhere (e.g. a whole-API refusal). */
  denied(type: ResourceType, name: string, op: AclOperation): void {
    const rt = resourceTypeName(type);
    const o = operationName(op);
    this.deps.metrics.aclDenied(this.api, rt, o);
    this.deps.metrics.error(this.api, AUTHORIZATION_ERROR[rt] ?? 'CLUSTER_AUTHORIZATION_FAILED');
    this.deps.audit.denied(this.session, this.api, rt, name, o);
  }

  /** Kafka's authHelper.authorizedOperations: bit (1 << op code) per supported, allowed operation. */
  authorizedOps(type: ResourceType, name: string): number {
    let bits = 0;
    for (const op of SUPPORTED_OPS[type] ?? []) if (this.can(type, name, op, false)) bits |= 1 << op;
    return bits;
  }
}

/** Kafka's ErrorsPerSec error name for a denial on each resource type. */
const AUTHORIZATION_ERROR: Record<string, string> = {
  TOPIC: 'TOPIC_AUTHORIZATION_FAILED',
  GROUP: 'GROUP_AUTHORIZATION_FAILED',
  CLUSTER: 'CLUSTER_AUTHORIZATION_FAILED',
  TRANSACTIONAL_ID: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  DELEGATION_TOKEN: 'DELEGATION_TOKEN_AUTHORIZATION_FAILED',
  USER: 'CLUSTER_AUTHORIZATION_FAILED',
};
