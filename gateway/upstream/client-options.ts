/**
 * The gateway's connections to the upstream cluster as the service principal: the proxied broker
 * connections and the security-topic tail (client/ options), and kafkajs for topic creation
 * and low-volume producing (security topic, audit topic). `upstream` is the one cluster-connection
 * shape, mapped by client/cluster-connection.ts exactly as the mirror's and the monitor's clusters
 * are; CA, certificate, key and password files are read each time a connection is made, so rotated
 * files are picked up.
 */
import type { KafkaConfig } from 'kafkajs';
import { connectionOptions, kafkajsConfig as clusterKafkajsConfig } from '../../client/cluster-connection.js';
import type { ConnectionOptions } from '../../client/connection.js';
import type { UpstreamConfig } from '../config/schema.js';

/** Long enough for a Fetch that waits for data (the tail's maxWaitMs is far below). */
const REQUEST_TIMEOUT_MS = 30_000;

/** `clientId` names the role (proxied connection, security topic, audit) unless upstream.clientId is set. */
export function upstreamConnectionOptions(upstream: UpstreamConfig, clientId: string): ConnectionOptions {
  return connectionOptions(upstream, { clientId, requestTimeoutMs: REQUEST_TIMEOUT_MS });
}

export function kafkajsConfig(upstream: UpstreamConfig, clientId: string): KafkaConfig {
  return clusterKafkajsConfig(upstream, { clientId, requestTimeoutMs: REQUEST_TIMEOUT_MS });
}
