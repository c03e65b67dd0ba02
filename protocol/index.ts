// Public API of the Kafka wire codec. Nothing here knows about the gateway.
export { KafkaCodecError, type KafkaCodecErrorCode } from './runtime/errors.js';
export {
  ErrorCode,
  KAFKA_ERRORS,
  errorInfo,
  errorMessage,
  errorName,
  isInvalidMetadata,
  isRetriable,
  type ErrorCodeName,
} from './errors.js';
export { Reader, type RawTaggedField, EMPTY_BYTES, ZERO_UUID } from './runtime/reader.js';
export { Writer } from './runtime/writer.js';
export {
  ApiKey,
  apiKeyTable,
  apiKeyTable as apiKeys,
  type ApiKeyName,
  type ApiKeyNumber,
} from './generated/api-keys.js';
export type {
  ApiKeyInfo,
  KafkaErrorInfo,
  EntityFieldRef,
  Listener,
  MessageSchema,
  SchemaField,
} from './schema-types.js';
export {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  encodeResponseHeaderBytes,
  requestHeaderVersion,
  responseHeaderVersion,
  type RequestHeader,
  type RequestHeaderInput,
  type ResponseHeader,
} from './header.js';
export {
  apiKeyInfo,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeRequestFrame,
  encodeResponse,
  encodeResponseFrame,
  isSupportedVersion,
  sizePrefix,
  type RequestApiKey,
  type RequestTypes,
  type ResponseTypes,
} from './codec.js';
export { FrameReader, readFrames, type FrameReaderOptions } from './frame-reader.js';
export { RequestFrame, ResponseFrame } from './frames.js';
export { entityFields } from './generated/entities.js';
export { collectEntities, entityFieldsFor, valuesAt, type EntityType } from './entities.js';
export { messageSchemas } from './generated/schema.js';
export * from './generated/messages.js';
export * from './records/index.js';
