/**
 * Every broker address an upstream response carries is replaced by the gateway's address for that
 * node, after the real one is recorded in the cluster view. Responses without addresses are never
 * decoded here.
 */
import { ApiKey, type ResponseFrame } from '../../protocol/index.js';
import type { AddressMap } from '../net/address-map.js';
import type { ClusterView } from '../upstream/cluster-view.js';

interface Endpoint {
  nodeId: number;
  host: string;
  port: number;
}

/** API keys whose responses may carry broker addresses. */
export const ADDRESS_BEARING_APIS: ReadonlySet<number> = new Set([
  ApiKey.Metadata,
  ApiKey.FindCoordinator,
  ApiKey.DescribeCluster,
  ApiKey.Produce,
  ApiKey.Fetch,
  ApiKey.ShareFetch,
  ApiKey.ShareAcknowledge,
]);

/** Records each real address, then replaces it with the gateway's; `id` names the node id field. */
function rewrite<E extends { host: string; port: number }>(
  endpoints: E[],
  map: AddressMap,
  view: ClusterView,
  id: (e: E) => number = (e) => (e as unknown as Endpoint).nodeId,
): boolean {
  for (const e of endpoints) {
    const nodeId = id(e);
    if (nodeId < 0) continue; // "no coordinator / no leader" placeholders stay as they are
    view.learn(nodeId, e.host, e.port);
    const a = map.advertised(nodeId);
    e.host = a.host;
    e.port = a.port;
  }
  return endpoints.length > 0;
}

/** Rewrites addresses in place; returns false when the frame needed no change. */
export function rewriteAddresses(frame: ResponseFrame, map: AddressMap, view: ClusterView): boolean {
  switch (frame.apiKey) {
    case ApiKey.Metadata: {
      const body = frame.body(ApiKey.Metadata);
      if (body.clusterId) view.clusterId = body.clusterId;
      for (const t of body.topics) view.learnTopic(t.topicId, t.name);
      if (!rewrite(body.brokers, map, view)) return false;
      frame.setBody(ApiKey.Metadata, body);
      return true;
    }
    case ApiKey.FindCoordinator: {
      const body = frame.body(ApiKey.FindCoordinator);
      // v0-3 answer one key at the top level; v4+ batch keys in `coordinators`.
      const top: Endpoint = { nodeId: body.nodeId, host: body.host, port: body.port };
      const changedTop = frame.apiVersion < 4 && rewrite([top], map, view);
      Object.assign(body, { host: top.host, port: top.port });
      const changedBatch = rewrite(body.coordinators, map, view);
      if (!changedTop && !changedBatch) return false;
      frame.setBody(ApiKey.FindCoordinator, body);
      return true;
    }
    case ApiKey.DescribeCluster: {
      const body = frame.body(ApiKey.DescribeCluster);
      // endpointType 2 lists controllers, which clients reach directly, not through the gateway.
      if (body.endpointType === 2 || !rewrite(body.brokers, map, view, (b) => b.brokerId)) return false;
      frame.setBody(ApiKey.DescribeCluster, body);
      return true;
    }
    case ApiKey.Produce:
    case ApiKey.Fetch:
    case ApiKey.ShareFetch:
    case ApiKey.ShareAcknowledge: {
      // KIP-951: new leaders' endpoints ride along with NOT_LEADER errors (Produce v10+, Fetch v16+).
      const key = frame.apiKey as typeof ApiKey.Produce;
      const body = frame.body(key) as { nodeEndpoints?: Endpoint[] };
      if (!body.nodeEndpoints || !rewrite(body.nodeEndpoints, map, view)) return false;
      frame.setBody(key, body as never);
      return true;
    }
    default:
      return false;
  }
}
