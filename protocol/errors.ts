/**
 * Kafka's one error table (generated from its Errors enum): look-ups by code. Callers decide
 * retries by code through these, never by an error's text or class name.
 */
import { ErrorCode, KAFKA_ERRORS } from './generated/errors.js';
import type { KafkaErrorInfo } from './schema-types.js';

export { ErrorCode, KAFKA_ERRORS, type ErrorCodeName } from './generated/errors.js';

export const errorInfo = (code: number): KafkaErrorInfo | undefined => KAFKA_ERRORS.get(code);

/** Kafka's name for a code ("NOT_COORDINATOR"), or "error <code>" for one this release does not know. */
export const errorName = (code: number): string => KAFKA_ERRORS.get(code)?.name ?? `error ${code}`;

/** The default message Kafka's clients print for a code; null for NONE and unknown codes. */
export const errorMessage = (code: number): string | null => KAFKA_ERRORS.get(code)?.message ?? null;

/** Kafka's clients retry this error (its exception is a RetriableException). */
export const isRetriable = (code: number): boolean => KAFKA_ERRORS.get(code)?.retriable ?? false;

/** The error means the client's metadata is stale: look the leader or coordinator up again. */
export const isInvalidMetadata = (code: number): boolean => KAFKA_ERRORS.get(code)?.invalidMetadata ?? false;

export const isError = (code: number): boolean => code !== ErrorCode.NONE;
