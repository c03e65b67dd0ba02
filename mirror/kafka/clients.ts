/** kafkajs clients for one configured cluster, with its security settings and our logger. */
import { Kafka, logLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkajsSecurity } from '../../client/kafkajs/security.js';
import { installKafkajsCodecs } from '../../client/kafkajs/codecs.js';
import type { ClusterConfig } from '../config/config.js';
import { connectionOptions } from './native-cluster.js';

installKafkajsCodecs();

export function kafkaFor(cluster: ClusterConfig, role: string, log: Logger): Kafka {
  const creator: logCreator =
    () =>
    ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      const fields = { role, cluster: cluster.alias, ...rest };
      if (level === logLevel.ERROR) log.warn(fields, `kafkajs: ${message}`);
      else if (level === logLevel.WARN) log.debug(fields, `kafkajs: ${message}`);
    };
  const config: KafkaConfig = {
    clientId: `${cluster.clientId}-${role}`,
    brokers: cluster.bootstrapServers,
    requestTimeout: cluster.requestTimeoutMs,
    connectionTimeout: 10_000,
    logLevel: logLevel.WARN,
    logCreator: creator,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
    // TLS and SASL exactly as the native data path's connections get them.
    ...kafkajsSecurity(connectionOptions(cluster, role)),
  };
  return new Kafka(config);
}
