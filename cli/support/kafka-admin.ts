/**
 * A connection for the admin requests the operator commands send (SCRAM credentials, ACLs,
 * DescribeCluster), on client/ with the generated codec and the target's TLS / SASL. Kafka
 * (and a kgw gateway) answer these on any broker, so one connection to a bootstrap server is enough.
 */
import { ClusterClient } from '../../client/cluster.js';
import type { KafkaClientConnection } from '../../client/connection.js';
import { connectionOptions, describeConnection } from '../../client/cluster-connection.js';
import { CommandFailed, errorText } from './errors.js';
import type { ClusterTarget } from './targets.js';

export interface AdminSession {
  readonly client: ClusterClient;
  readonly connection: KafkaClientConnection;
  close(): void;
}

export async function openAdmin(target: ClusterTarget, clientId = 'kgw-cli'): Promise<AdminSession> {
  const client = new ClusterClient(
    target.name,
    target.connection.bootstrap,
    connectionOptions(target.connection, { clientId, requestTimeoutMs: 30_000 }),
  );
  try {
    const connection = await client.connectionToAny();
    return { client, connection, close: () => client.close() };
  } catch (e) {
    client.close();
    throw new CommandFailed(unreachable(target, e));
  }
}

/** "cannot connect to east (b:9093, SASL_SSL SCRAM-SHA-512 as admin): <cause>. <what to check>" */
export function unreachable(target: ClusterTarget, e: unknown): string {
  const cause = errorText(e);
  const hint = /authentication|SASL/i.test(cause)
    ? 'check the user and password (or token) in ' + target.source
    : /certificate|self.signed|unable to verify|altnames|SSL|TLS|EPROTO/i.test(cause)
      ? 'check the CA (tls.ca / ssl.truststore.location) and the host name the certificate carries'
      : 'check the address, that the cluster or gateway is up, and security.protocol';
  return `cannot connect to ${target.name} (${target.connection.bootstrap.join(',')}, ${describeConnection(target.connection)}): ${cause}. ${hint[0]!.toUpperCase()}${hint.slice(1)}.`;
}
