export {
  KmsError,
  wrapAssociatedData,
  type KeyManagementService,
  type KmsErrorCode,
  type WrappedKeyRef,
} from './kms.js';
export {
  KEYRING_FORMAT,
  KeyringFormatError,
  KeyringKms,
  emptyKeyring,
  parseKeyring,
  rotateKek,
  serializeKeyring,
  type KekVersion,
  type Keyring,
} from './keyring.js';
export {
  KeyringFile,
  keyringFileKms,
  readKeyringFile,
  unsafeKeyringReason,
  writeKeyringFile,
} from './keyring-file.js';
export { Pkcs11Kms, type Pkcs11KmsOptions } from './pkcs11.js';
