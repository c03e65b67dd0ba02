/**
 * The one error type every decoder, encoder and frame reader in protocol/ throws for bad input.
 * Callers (the gateway) switch on `code` to decide whether to close a connection or answer with an error.
 */
export type KafkaCodecErrorCode =
  | 'TRUNCATED' // input ended before a value was complete
  | 'INVALID_LENGTH' // a length/count is negative (where null is not allowed) or exceeds the bytes left
  | 'UNEXPECTED_NULL' // a non-nullable field was encoded as null
  | 'INVALID_VARINT' // varint longer than allowed
  | 'INVALID_VALUE' // a value cannot be encoded (out of range, wrong uuid, ...)
  | 'FIELD_NOT_IN_VERSION' // encoding: a non-ignorable field holds a non-default value the version lacks
  | 'TRAILING_BYTES' // a message body did not consume its whole frame
  | 'UNSUPPORTED_VERSION' // version outside the API's valid range
  | 'UNKNOWN_API_KEY'
  | 'FRAME_TOO_LARGE'
  | 'INVALID_FRAME_SIZE'
  | 'CORRUPT_RECORD_BATCH'
  | 'CRC_MISMATCH'
  | 'UNSUPPORTED_COMPRESSION';

export class KafkaCodecError extends Error {
  override readonly name = 'KafkaCodecError';
  constructor(
    readonly code: KafkaCodecErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function truncated(need: number, have: number): KafkaCodecError {
  return new KafkaCodecError('TRUNCATED', `need ${need} more bytes, ${have} left`);
}
