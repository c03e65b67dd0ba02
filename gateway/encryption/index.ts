/**
 * Record encryption at rest in the gateway (docs/encryption.md): the KMS named by the
 * configuration, the data keys over it, the per-topic policies, and the request-filter stage.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { KmsError, Pkcs11Kms, keyringFileKms, type KeyManagementService } from '../../security/kms/index.js';
import type { RequestFilter } from '../session/client-session.js';
import type { EncryptionConfig } from './config.js';
import { DataKeys } from './data-keys.js';
import { encryptionFilter } from './filter.js';
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

export function startRecordEncryption(cfg: EncryptionConfig, log: Logger): RecordEncryption {
  const kms = openKms(cfg.kms);
  const keys = new DataKeys(kms, cfg.dataKeys, cfg.dataKeys.cacheSize);
  const policies = new EncryptionPolicies(cfg.topics);
  const elog = log.child({ component: 'encryption' });
  elog.info({ kms: kms.description, policies: cfg.topics.length }, 'record encryption on');
  return {
    kms,
    keys,
    policies,
    filter: (inner, topicName) => encryptionFilter(inner, { policies, keys, topicName, log: elog }),
    close: () => kms.close(),
  };
}
