// Types of the generated metadata tables (protocol/generated/{api-keys,schema,entities,errors}.ts).

export type Listener = 'broker' | 'controller' | 'zkBroker';

export interface ApiKeyInfo {
  apiKey: number;
  /** Kafka's name without the Request suffix, e.g. "Produce". */
  name: string;
  /** Valid request versions; -1/-1 when the API was removed from this release (`removed`). */
  minVersion: number;
  maxVersion: number;
  removed: boolean;
  /** First flexible (compact, tagged-field) version, or null if the API has none. */
  flexibleFrom: number | null;
  responseMinVersion: number;
  responseMaxVersion: number;
  /** Which listeners accept the API: a gateway refuses APIs that are not 'broker'. */
  listeners: string[];
  /** The highest version is still under development; brokers refuse it unless configured not to. */
  latestVersionUnstable: boolean;
}

/** One field of a generated struct; version pairs are inclusive, 32767 = open ended. */
export interface SchemaField {
  name: string;
  type: string; // 'int8' | ... | 'uuid' | 'records' | 'struct'
  array?: true;
  struct?: string;
  versions: [number, number];
  nullable?: [number, number];
  tagged?: [number, number];
  tag?: number;
  flexibleNone?: true;
  entityType?: string;
  default?: string;
}

export interface MessageSchema {
  root: string;
  valid: [number, number] | null;
  flexibleFrom: number | null;
  structs: Record<string, SchemaField[]>;
}

export interface EntityFieldRef {
  /** Path of camelCase properties from the body root; `[]` marks "each element of this array". */
  path: string;
  entityType: string;
  /** Versions in which the field exists. */
  versions: [number, number];
}

/** One row of Kafka's error table (org.apache.kafka.common.protocol.Errors). */
export interface KafkaErrorInfo {
  readonly code: number;
  /** The enum constant, e.g. "NOT_LEADER_OR_FOLLOWER". */
  readonly name: string;
  /** Its exception is a RetriableException: clients retry the request. */
  readonly retriable: boolean;
  /** Its exception is an InvalidMetadataException: clients refresh metadata before retrying. */
  readonly invalidMetadata: boolean;
  /** The default message Kafka's clients print; null for NONE. */
  readonly message: string | null;
}
