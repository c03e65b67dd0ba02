/**
 * Authorization of every forwarded API with Kafka's ACL semantics (handlers.ts has the per-API
 * table), and ACL administration through CreateAcls / DescribeAcls / DeleteAcls (acl-admin.ts).
 */
import { ApiKey, apiKeyInfo } from '../../protocol/index.js';
import { AclOperation, ResourceType } from '../../security/acl/index.js';
import type { GatewayExtensions } from '../gateway.js';
import type { LocalApi, RequestFilter } from '../session/client-session.js';
import type { ClusterView } from '../upstream/cluster-view.js';
import { createAcls, deleteAcls, describeAcls } from './acl-admin.js';
import { CloseConnection } from './apis/data.js';
import { RequestAuthz, type AuthzDeps } from './context.js';
import { HANDLERS } from './handlers.js';
import { TopicIds } from './topic-ids.js';

export { CloseConnection } from './apis/data.js';
export { HANDLERS } from './handlers.js';
export { RequestAuthz, type AuthzDeps } from './context.js';

/** The request filter: the API's handler from the table, or a refusal for an API without one. */
export function aclFilter(deps: AuthzDeps, cluster: ClusterView): RequestFilter {
  const env = { topicIds: new TopicIds(cluster) };
  return async (frame, session) => {
    const api = apiKeyInfo(frame.apiKey)?.name ?? String(frame.apiKey);
    const az = new RequestAuthz(deps, session, api);
    const handler = HANDLERS.get(frame.apiKey);
    if (!handler) {
      az.denied(ResourceType.CLUSTER, 'kafka-cluster', AclOperation.CLUSTER_ACTION);
      return { kind: 'close', reason: `${api} has no authorization rule in the gateway` };
    }
    try {
      return await handler(frame, az, env);
    } catch (e) {
      // A denial with no response to carry it (acks=0 produce): Kafka closes the connection.
      if (e instanceof CloseConnection) return { kind: 'close', reason: e.message };
      throw e;
    }
  };
}

export interface AclExtensionOptions {
  /** Topics no client may reach through the gateway besides the security topic (e.g. the audit topic). */
  reservedTopics?: string[];
}

export function aclExtensions(opts: AclExtensionOptions = {}): GatewayExtensions {
  // The security topic's name is known once localApis is built (before the filter): both share it.
  const reservedTopics = new Set<string>(opts.reservedTopics ?? []);
  let authzDeps: AuthzDeps | undefined;
  const depsFor = (d: Omit<AuthzDeps, 'reservedTopics'>): AuthzDeps =>
    (authzDeps ??= { ...d, reservedTopics });
  let metricsRef: AuthzDeps['metrics'] | undefined;
  return {
    localApis: ({ authorizer, audit, topic, reservedTopics: more }) => {
      reservedTopics.add(topic.topic);
      for (const t of more) reservedTopics.add(t);
      const lazy: AuthzDeps = {
        authorizer,
        audit,
        reservedTopics,
        // Metrics arrive with the filter; admin denials before that are only audited.
        get metrics() {
          return metricsRef ?? NO_METRICS;
        },
      };
      const deps = { authorizer, audit, topic, authz: lazy };
      return new Map<number, LocalApi>([
        [ApiKey.CreateAcls, createAcls(deps)],
        [ApiKey.DescribeAcls, describeAcls(deps)],
        [ApiKey.DeleteAcls, deleteAcls(deps)],
      ]);
    },
    filter: ({ authorizer, audit, metrics, cluster }) => {
      metricsRef = metrics;
      return aclFilter(depsFor({ authorizer, audit, metrics }), cluster);
    },
  };
}

const NO_METRICS = { aclDenied: () => undefined, error: () => undefined } as unknown as AuthzDeps['metrics'];
