/**
 * Prometheus metrics of record encryption (catalogued in observability/metrics/): records
 * encrypted and decrypted and partitions that failed, per topic; data keys made, per KEK and why;
 * KMS latency; which AES-GCM engine runs. Topic names come from clients (a prefix policy matches
 * names they make up), so their label is capped like the gateway's other topic labels
 * (gateway/bounded-label.ts); KEK ids and reasons are fixed sets.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  GATEWAY_ENCRYPTION_DATA_KEYS_TOTAL,
  GATEWAY_ENCRYPTION_ENGINE,
  GATEWAY_ENCRYPTION_FAILURES_TOTAL,
  GATEWAY_ENCRYPTION_KMS_SECONDS,
  GATEWAY_ENCRYPTION_RECORDS_TOTAL,
  promClientOptions,
} from '../../observability/metrics/index.js';
import { KafkaCodecError } from '../../protocol/index.js';
import { EncryptionError } from '../../security/encryption/index.js';
import { KmsError, type KeyManagementService } from '../../security/kms/index.js';
import { topicLabel, type BoundedLabel } from '../bounded-label.js';
import { UnencryptableRecords } from './record-batches.js';
import { ErrorCode } from '../../protocol/errors.js';

export type EncryptionOperation = 'encrypt' | 'decrypt';
export type EncryptionFailureReason =
  | 'kms'
  | 'authentication'
  | 'malformed'
  | 'corrupt_batch'
  | 'unsupported_format'
  | 'unknown_topic'
  | 'internal';
export type DataKeyReason = 'first' | 'max_records' | 'max_age';

/** The failure reason label for an error thrown while encrypting or decrypting a partition. */
export function failureReason(e: unknown): EncryptionFailureReason {
  if (e instanceof KmsError) return 'kms';
  if (e instanceof EncryptionError)
    return e.code === 'AUTHENTICATION_FAILED'
      ? 'authentication'
      : e.code === 'MALFORMED_ENVELOPE'
        ? 'malformed'
        : 'internal';
  if (e instanceof UnencryptableRecords)
    return e.errorCode === ErrorCode.CORRUPT_MESSAGE ? 'corrupt_batch' : 'unsupported_format';
  if (e instanceof KafkaCodecError) return 'corrupt_batch';
  return 'internal';
}

export interface EncryptionMetricsOptions {
  /** Distinct topic label values before __other__ (the gateway's cap for client-supplied names). */
  maxTopicLabels: number;
  /** The AES-GCM engine in use (security/encryption/gcm-engine.ts). */
  engine: 'js' | 'native';
  /** Configured KEK ids and exact topic names: their series exist from the start, at 0. */
  keks: readonly string[];
  topics: readonly string[];
}

export class EncryptionMetrics {
  private readonly topics: BoundedLabel;
  private readonly recordsTotal: Counter<'topic' | 'operation'>;
  private readonly failuresTotal: Counter<'topic' | 'operation' | 'reason'>;
  private readonly dataKeysTotal: Counter<'kek' | 'reason'>;
  private readonly kmsSeconds: Histogram<'kms_operation' | 'outcome'>;

  constructor(registry: Registry, opts: EncryptionMetricsOptions) {
    const registers = [registry];
    this.topics = topicLabel(opts.maxTopicLabels);
    this.recordsTotal = new Counter({ ...promClientOptions(GATEWAY_ENCRYPTION_RECORDS_TOTAL), registers });
    this.failuresTotal = new Counter({ ...promClientOptions(GATEWAY_ENCRYPTION_FAILURES_TOTAL), registers });
    this.dataKeysTotal = new Counter({ ...promClientOptions(GATEWAY_ENCRYPTION_DATA_KEYS_TOTAL), registers });
    this.kmsSeconds = new Histogram({ ...promClientOptions(GATEWAY_ENCRYPTION_KMS_SECONDS), registers });
    const engine = new Gauge({ ...promClientOptions(GATEWAY_ENCRYPTION_ENGINE), registers });
    engine.set({ engine: opts.engine }, 1);
    for (const kek of new Set(opts.keks))
      for (const reason of ['first', 'max_records', 'max_age'] as const)
        this.dataKeysTotal.inc({ kek, reason }, 0);
    for (const topic of opts.topics)
      for (const operation of ['encrypt', 'decrypt'] as const)
        this.recordsTotal.inc({ topic: this.topics.of(topic), operation }, 0);
  }

  records(topic: string, operation: EncryptionOperation, count: number): void {
    if (count > 0) this.recordsTotal.inc({ topic: this.topics.of(topic), operation }, count);
  }

  failure(topic: string, operation: EncryptionOperation, reason: EncryptionFailureReason): void {
    this.failuresTotal.inc({ topic: this.topics.of(topic), operation, reason });
  }

  dataKey(kek: string, reason: DataKeyReason): void {
    this.dataKeysTotal.inc({ kek, reason });
  }

  kms(operation: 'wrap' | 'unwrap', seconds: number, ok: boolean): void {
    this.kmsSeconds.observe({ kms_operation: operation, outcome: ok ? 'ok' : 'error' }, seconds);
  }
}

/** The KMS with every wrap and unwrap timed into the metrics. */
export function timedKms(kms: KeyManagementService, metrics: EncryptionMetrics): KeyManagementService {
  const timed = async <T>(operation: 'wrap' | 'unwrap', call: () => Promise<T>): Promise<T> => {
    const start = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - start) / 1e9;
    try {
      const result = await call();
      metrics.kms(operation, seconds(), true);
      return result;
    } catch (e) {
      metrics.kms(operation, seconds(), false);
      throw e;
    }
  };
  return {
    description: kms.description,
    wrap: (kekId, dek) => timed('wrap', () => kms.wrap(kekId, dek)),
    unwrap: (ref) => timed('unwrap', () => kms.unwrap(ref)),
    close: () => kms.close(),
  };
}
