// The part of the pkcs11js binding (OASIS PKCS#11 v2.40 calls, one to one) that the PKCS#11 KMS
// uses, typed here so the project compiles where the optional package did not install; loaded at
// run time only when a pkcs11 KMS is configured.
import { createRequire } from 'node:module';
import { KmsError } from './kms.js';

export type Handle = Buffer;

export interface Attribute {
  type: number;
  value?: number | boolean | string | Buffer;
}

export interface Mechanism {
  mechanism: number;
  parameter?: { type: number; iv: Buffer; aad?: Buffer; ivBits: number; tagBits: number };
}

export interface Pkcs11 {
  load(path: string): void;
  C_Initialize(): void;
  C_Finalize(): void;
  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetTokenInfo(slot: Handle): { label: string };
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_FindObjectsInit(session: Handle, template: Attribute[]): void;
  C_FindObjects(session: Handle): Handle | null;
  C_FindObjectsFinal(session: Handle): void;
  C_GetAttributeValue(session: Handle, object: Handle, template: Attribute[]): Attribute[];
  C_GenerateKey(session: Handle, mechanism: Mechanism, template: Attribute[]): Handle;
  C_EncryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Encrypt(session: Handle, data: Buffer, out: Buffer): Buffer;
  C_DecryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Decrypt(session: Handle, data: Buffer, out: Buffer): Buffer;
}

/** The binding's constructor and the PKCS#11 constants we use (names as in pkcs11.h). */
export interface Pkcs11Binding {
  PKCS11: new () => Pkcs11;
  CKA_CLASS: number;
  CKA_KEY_TYPE: number;
  CKA_LABEL: number;
  CKA_VALUE: number;
  CKA_VALUE_LEN: number;
  CKA_TOKEN: number;
  CKA_PRIVATE: number;
  CKA_SENSITIVE: number;
  CKA_EXTRACTABLE: number;
  CKA_ENCRYPT: number;
  CKA_DECRYPT: number;
  CKO_SECRET_KEY: number;
  CKK_AES: number;
  CKM_AES_KEY_GEN: number;
  CKM_AES_GCM: number;
  /** CK_GCM_PARAMS with ulIvBits (PKCS#11 v2.40), what SoftHSM2 2.6 expects. */
  CK_PARAMS_GCM: number;
  CKF_SERIAL_SESSION: number;
  CKF_RW_SESSION: number;
  CKU_USER: number;
}

export function loadPkcs11Binding(): Pkcs11Binding {
  try {
    return createRequire(import.meta.url)('pkcs11js') as Pkcs11Binding;
  } catch (e) {
    throw new KmsError(
      'KMS_UNAVAILABLE',
      `the pkcs11 KMS needs the optional npm package pkcs11js, which is not installed or did not build: ${(e as Error).message}`,
    );
  }
}
