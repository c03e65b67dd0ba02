/** kafkajs clients for one configured cluster, with its security settings and our logger. */
import { Kafka, logLevel, type KafkaConfig, type logCreator, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { installKafkajsCodecs } from '../../protocol/records/kafkajs-codecs.js';
import type { ClusterConfig } from '../config/config.js';

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
  };
  if (cluster.tls) {
    config.ssl = {
      ...(cluster.tls.ca === undefined ? {} : { ca: [cluster.tls.ca] }),
      ...(cluster.tls.checkServerIdentity ? {} : { checkServerIdentity: () => undefined }),
    };
  }
  if (cluster.sasl) {
    config.sasl = {
      mechanism: cluster.sasl.mechanism,
      username: cluster.sasl.username,
      password: cluster.sasl.password,
    } as SASLOptions;
  }
  return new Kafka(config);
}
