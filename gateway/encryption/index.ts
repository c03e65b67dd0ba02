/**
 * Record encryption at rest in the gateway (docs/encryption.md): the KMS named by the
 * configuration, the data keys over it, the per-topic policies, and the request-filter stage.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { gcmEngine } from '../../security/encryption/index.js';
import { KmsError, Pkcs11Kms, keyringFileKms, type KeyManagementService } from '../../security/kms/index.js';
import type { RequestFilter } from '../session/client-session.js';
import type { EncryptionConfig } from './config.js';
import { DataKeys } from './data-keys.js';
import { encryptionFilter } from './filter.js';
import { EncryptionMetrics, timedKms } from './metrics.js';
import { EncryptionPolicies } from './policy.js';

export { encryptionConfigSchema, type EncryptionConfig } from './config.js';
export { EncryptionPolicies, type TopicPolicy } from './policy.js';
export { DataKeys } from './data-keys.js';

export function openKms(kms: EncryptionConfig['kms']): KeyManagementService {
  if (kms.type === 'keyring') return keyringFileKms(kms.file, kms.checkIntervalMs);
  return new Pkcs11Kms({
    module: kms.module,
    tokenLabel: kms.tokenLabel,
    pin: kms.pin ?? readPin(kms.pinFile!),
  });
}

function readPin(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n')[0]!.trim();
  } catch (e) {
    throw new KmsError(
      'KMS_UNAVAILABLE',
      `encryption.kms.pinFile: cannot read ${file}: ${(e as Error).message}`,
    );
  }
}

export interface RecordEncryption {
  readonly kms: KeyManagementService;
  readonly keys: DataKeys;
  readonly policies: EncryptionPolicies;
  /** Wraps the request filter (authorization) with the encryption stage. */
  filter(inner: RequestFilter | undefined, topicName: (id: string) => string | undefined): RequestFilter;
  close(): Promise<void>;
}

export interface RecordEncryptionOptions {
  /** Where the encryption metrics are registered (the gateway's /metrics registry). */
  registry?: Registry;
  /** Distinct topic label values before __other__ (default 1000). */
  maxTopicLabels?: number;
}

export function startRecordEncryption(
  cfg: EncryptionConfig,
  log: Logger,
  opts: RecordEncryptionOptions = {},
): RecordEncryption {
  const engine = gcmEngine();
  const metrics = opts.registry
    ? new EncryptionMetrics(opts.registry, {
        maxTopicLabels: opts.maxTopicLabels ?? 1000,
        engine: engine.kind,
        keks: cfg.topics.map((t) => t.kek),
        topics: cfg.topics.flatMap((t) => (t.name === undefined ? [] : [t.name])),
      })
    : undefined;
  const opened = openKms(cfg.kms);
  const kms = metrics ? timedKms(opened, metrics) : opened;
  const keys = new DataKeys(kms, cfg.dataKeys, cfg.dataKeys.cacheSize, (kek, reason) =>
    metrics?.dataKey(kek, reason),
  );
  const policies = new EncryptionPolicies(cfg.topics);
  const elog = log.child({ component: 'encryption' });
  elog.info(
    { kms: kms.description, policies: cfg.topics.length, engine: engine.kind },
    'record encryption on',
  );
  if (engine.kind === 'js' && process.env.KGW_GCM_ENGINE !== 'js')
    elog.warn(
      'the native AES-GCM binding is not built (deploy/setup.sh builds it): encrypting with Node crypto, several times slower for small records',
    );
  return {
    kms,
    keys,
    policies,
    filter: (inner, topicName) => encryptionFilter(inner, { policies, keys, topicName, log: elog, metrics }),
    close: () => {
      keys.close(); // wipes every data key held, once in-flight batches are done with it
      return kms.close();
    },
  };
}
