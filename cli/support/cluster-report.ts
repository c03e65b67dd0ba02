/**
 * A cluster's health for `kgw status`: reachable with the configured security, its brokers and the
 * controller it reports (DescribeCluster, KIP-700; through a gateway, the gateway's addresses).
 */
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { describeConnection } from '../../client/cluster-connection.js';
import { errorText } from './errors.js';
import { openAdmin } from './kafka-admin.js';
import { kafkaError } from './kafka-request.js';
import type { ClusterTarget } from './targets.js';

export interface ClusterReport {
  name: string;
  bootstrap: string[];
  security: string;
  reachable: boolean;
  clusterId?: string;
  controllerId?: number;
  brokers?: { id: number; host: string; port: number; rack: string | null; fenced: boolean }[];
  error?: string;
}

export async function clusterReport(target: ClusterTarget): Promise<ClusterReport> {
  const base = {
    name: target.name,
    bootstrap: target.connection.bootstrap,
    security: describeConnection(target.connection),
  };
  try {
    const admin = await openAdmin(target, 'kgw-cli-status');
    try {
      const c = admin.connection;
      const version = c.version(ApiKey.DescribeCluster, 0, 2);
      const r = await c.request(ApiKey.DescribeCluster, version, {
        includeClusterAuthorizedOperations: false,
        endpointType: 1, // brokers
        includeFencedBrokers: true,
      });
      if (r.errorCode !== ErrorCode.NONE)
        return { ...base, reachable: true, error: kafkaError(r.errorCode, r.errorMessage) };
      return {
        ...base,
        reachable: true,
        clusterId: r.clusterId,
        controllerId: r.controllerId,
        brokers: r.brokers
          .map((b) => ({ id: b.brokerId, host: b.host, port: b.port, rack: b.rack, fenced: b.isFenced }))
          .sort((a, b) => a.id - b.id),
      };
    } finally {
      admin.close();
    }
  } catch (e) {
    return { ...base, reachable: false, error: errorText(e) };
  }
}
