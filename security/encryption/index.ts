export { EncryptionError, type EncryptionErrorCode } from './errors.js';
export {
  ENVELOPE_VERSION,
  EnvelopeFlags,
  NONCE_BYTES,
  TAG_BYTES,
  encodeEnvelopePrefix,
  parseEnvelope,
  type Envelope,
  type WrappedKeyRef,
} from './envelope.js';
export { DATA_KEY_BYTES, DataKey, MAX_INVOCATIONS_PER_KEY, type RotationLimits } from './data-key.js';
export { decodeParcel, encodeParcel, type HeaderLike } from './parcel.js';
export {
  ENCRYPTION_HEADER,
  envelopeAfter,
  envelopeOf,
  isSealed,
  needsSealing,
  openRecord,
  openRecords,
  sealRecord,
  sealRecords,
  wrappedKeyOf,
  type RecordParts,
} from './record-cipher.js';
export { emptyJobs, type GcmEngine, type GcmJobs } from './gcm.js';
export { gcmEngine, nativeGcmEngine, selectGcmEngine, wipeKey, type GcmEngineChoice } from './gcm-engine.js';
export { jsGcm } from './gcm-js.js';
export { loadGcmBinding, type GcmBinding } from './gcm-native.js';
