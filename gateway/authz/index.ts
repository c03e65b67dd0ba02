/**
 * Authorization of every forwarded API with Kafka's ACL semantics (handlers.ts has the per-API
 * table), and ACL administration through CreateAcls / DescribeAcls / DeleteAcls (acl-admin.ts).
 * The gateway builds it from its configuration in every case (gateway.ts): there is no way to
 * start one that forwards without it.
 */
import { ApiKey, apiKeyInfo, type RequestApiKey, type RequestFrame } from '../../protocol/index.js';
import { AclOperation, ResourceType, type AclAuthorizer } from '../../security/acl/index.js';
import type { Audit } from '../audit.js';
import type { SecurityTopic } from '../credentials/security-topic.js';
import type { RuledVersions } from '../filters/api-versions.js';
import type { GatewayMetrics } from '../metrics.js';
import type { LocalApi, RequestFilter } from '../session/client-session.js';
import type { ClusterView } from '../upstream/cluster-view.js';
import { createAcls, deleteAcls, describeAcls } from './acl-admin.js';
import { CloseConnection } from './apis/data.js';
import { RequestAuthz, type AuthzDeps } from './context.js';
import { RULES } from './handlers.js';
import { TopicIds } from './topic-ids.js';

export { CloseConnection } from './apis/data.js';
export { RULES } from './handlers.js';
export { RequestAuthz, type AuthzDeps } from './context.js';

/** The request versions each forwarded API has a rule for (what ApiVersions may offer). */
export const RULED_VERSIONS: RuledVersions = new Map(
  [...RULES].map(([apiKey, r]) => [apiKey, r.versions] as const),
);

/**
 * The request filter: the API's rule from the table, or a refusal (connection closed, as a broker
 * does for a request it cannot parse) for an API or version without one.
 */
export function aclFilter(deps: AuthzDeps, cluster: ClusterView): RequestFilter {
  const env = { topicIds: new TopicIds(cluster) };
  return async (frame, session) => {
    const api = apiKeyInfo(frame.apiKey)?.name ?? String(frame.apiKey);
    const az = new RequestAuthz(deps, session, api);
    const rule = RULES.get(frame.apiKey);
    if (!rule || frame.apiVersion < rule.versions[0] || frame.apiVersion > rule.versions[1]) {
      az.denied(ResourceType.CLUSTER, 'kafka-cluster', AclOperation.CLUSTER_ACTION);
      const why = rule
        ? `version ${frame.apiVersion} is outside the reviewed versions ${rule.versions.join('-')}`
        : 'the API';
      return { kind: 'close', reason: `${api} v${frame.apiVersion}: no authorization rule for ${why}` };
    }
    try {
      const decision = await rule.handler(frame, az, env);
      if (decision.kind === 'forward') dropUnknownTags(frame);
      return decision;
    } catch (e) {
      // A denial with no response to carry it (acks=0 produce): Kafka closes the connection.
      if (e instanceof CloseConnection) return { kind: 'close', reason: e.message };
      throw e;
    }
  };
}

/**
 * Tagged fields the gateway's message definitions do not know are not forwarded. A broker newer
 * than those definitions may know them (Kafka adds tagged fields without a new version, as it did
 * Fetch's clusterId and replicaState), and one could name a resource the rule never saw; tagged
 * fields are optional by definition, so dropping them changes nothing a known broker reads.
 */
function dropUnknownTags(frame: RequestFrame): void {
  const apiKey = frame.apiKey as RequestApiKey;
  const body = frame.body(apiKey);
  if (stripTags(body)) frame.setBody(apiKey, body);
}

function stripTags(x: unknown): boolean {
  if (x === null || typeof x !== 'object' || Buffer.isBuffer(x)) return false;
  let found = false;
  if (Array.isArray(x)) {
    for (const e of x) found = stripTags(e) || found;
    return found;
  }
  const o = x as Record<string, unknown>;
  if (o.unknownTaggedFields !== undefined) {
    delete o.unknownTaggedFields;
    found = true;
  }
  for (const v of Object.values(o)) found = stripTags(v) || found;
  return found;
}

export interface AuthorizationDeps {
  authorizer: AclAuthorizer;
  audit: Audit;
  metrics: GatewayMetrics;
  cluster: ClusterView;
  /** The security topic ACL changes are written to. */
  topic: SecurityTopic;
  /** Topics no client may reach through the gateway: the security topic, the audit topic. */
  reservedTopics: readonly string[];
}

export interface Authorization {
  filter: RequestFilter;
  ruledVersions: RuledVersions;
  /** CreateAcls, DescribeAcls, DeleteAcls, answered by the gateway from its own ACL store. */
  localApis: ReadonlyMap<number, LocalApi>;
}

export function authorization(d: AuthorizationDeps): Authorization {
  const deps: AuthzDeps = {
    authorizer: d.authorizer,
    audit: d.audit,
    metrics: d.metrics,
    reservedTopics: new Set(d.reservedTopics),
  };
  const admin = { authorizer: d.authorizer, audit: d.audit, topic: d.topic, authz: deps };
  return {
    filter: aclFilter(deps, d.cluster),
    ruledVersions: RULED_VERSIONS,
    localApis: new Map<number, LocalApi>([
      [ApiKey.CreateAcls, createAcls(admin)],
      [ApiKey.DescribeAcls, describeAcls(admin)],
      [ApiKey.DeleteAcls, deleteAcls(admin)],
    ]),
  };
}
