// A KMS on a PKCS#11 token (OASIS PKCS#11 v2.40): the key-encryption keys are AES-256 secret-key
// objects generated inside the token as sensitive and non-extractable, so they never exist in the
// gateway's memory; the token wraps and unwraps data keys with CKM_AES_GCM (NIST SP 800-38D, random
// 96-bit IV per wrap, §8.2.2, far below §8.3's 2^32 wraps per key since one wrap is made per
// data-key rotation). Tested with SoftHSM2 from Debian; any PKCS#11 module (an HSM, a cloud HSM's
// PKCS#11 library) takes the same settings.
//
// Versions: KEK `<id>` version N is the token object labelled `kgw-kek/<id>/<N>`; rotation generates
// the next N. The highest version wraps; every version present unwraps.
//
// The binding is the npm package pkcs11js (PeculiarVentures, N-API, builds from source against the
// installed Node headers); it is an optional dependency loaded only when a pkcs11 KMS is configured.
import { randomBytes } from 'node:crypto';
import { KmsError, wrapAssociatedData, type KeyManagementService, type WrappedKeyRef } from './kms.js';
import {
  loadPkcs11Binding,
  type Handle,
  type Mechanism,
  type Pkcs11,
  type Pkcs11Binding,
} from './pkcs11-binding.js';

const LABEL_PREFIX = 'kgw-kek/';
const IV_BYTES = 12;
const TAG_BITS = 128;
const KEK_ID = /^[A-Za-z0-9._-]{1,200}$/;

export interface Pkcs11KmsOptions {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  module: string;
  /** Label of the token holding the KEKs. */
  tokenLabel: string;
  /** The token's user PIN. */
  pin: string;
}

/**
 * A PKCS#11 module is initialised once per process (C_Initialize a second time fails with
 * CKR_CRYPTOKI_ALREADY_INITIALIZED, and C_Finalize ends every session): several KMS instances on the
 * same module (e.g. two gateways in one process) share it, finalised when the last one closes.
 */
const loadedModules = new Map<string, { p11: Pkcs11; users: number }>();

function acquireModule(path: string): Pkcs11 {
  const loaded = loadedModules.get(path);
  if (loaded) {
    loaded.users++;
    return loaded.p11;
  }
  const p11 = new (loadPkcs11Binding().PKCS11)();
  try {
    p11.load(path);
    p11.C_Initialize();
  } catch (e) {
    throw new KmsError('KMS_UNAVAILABLE', `cannot load PKCS#11 module ${path}: ${(e as Error).message}`);
  }
  loadedModules.set(path, { p11, users: 1 });
  return p11;
}

function releaseModule(path: string): void {
  const loaded = loadedModules.get(path);
  if (!loaded || --loaded.users > 0) return;
  loadedModules.delete(path);
  loaded.p11.C_Finalize();
}

export class Pkcs11Kms implements KeyManagementService {
  readonly description: string;
  private readonly p11: Pkcs11;
  private readonly session: Handle;
  /** KEK id → version → object handle, refreshed from the token when a version is not known. */
  private keks = new Map<string, Map<number, Handle>>();
  private closed = false;

  private readonly modulePath: string;
  private readonly lib: Pkcs11Binding;

  constructor(opts: Pkcs11KmsOptions) {
    const lib = (this.lib = loadPkcs11Binding());
    this.description = `pkcs11 token "${opts.tokenLabel}"`;
    this.modulePath = opts.module;
    this.p11 = acquireModule(opts.module);
    try {
      const slot = this.p11
        .C_GetSlotList(true)
        .find((s) => this.p11.C_GetTokenInfo(s).label.trim() === opts.tokenLabel);
      if (!slot) throw new Error(`no token labelled "${opts.tokenLabel}" in ${opts.module}`);
      this.session = this.p11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | lib.CKF_RW_SESSION);
      try {
        this.p11.C_Login(this.session, lib.CKU_USER, opts.pin);
      } catch (e) {
        // Login is per application and token: a second KMS on the same token is already logged in.
        if (!/CKR_USER_ALREADY_LOGGED_IN/.test((e as Error).message)) throw e;
      }
      this.refresh();
    } catch (e) {
      releaseModule(opts.module);
      throw new KmsError('KMS_UNAVAILABLE', `${this.description}: ${(e as Error).message}`);
    }
  }

  /** Re-reads the KEK objects from the token (another process may have rotated a KEK). */
  private refresh(): void {
    const lib = this.lib;
    const keks = new Map<string, Map<number, Handle>>();
    this.p11.C_FindObjectsInit(this.session, [
      { type: lib.CKA_CLASS, value: lib.CKO_SECRET_KEY },
      { type: lib.CKA_KEY_TYPE, value: lib.CKK_AES },
    ]);
    try {
      for (let h = this.p11.C_FindObjects(this.session); h; h = this.p11.C_FindObjects(this.session)) {
        const [attr] = this.p11.C_GetAttributeValue(this.session, h, [{ type: lib.CKA_LABEL }]);
        const label = (attr?.value as Buffer | undefined)?.toString('utf8') ?? '';
        const m = /^kgw-kek\/([A-Za-z0-9._-]{1,200})\/(\d{1,10})$/.exec(label);
        if (!m) continue;
        const versions = keks.get(m[1]!) ?? new Map<number, Handle>();
        versions.set(Number(m[2]), h);
        keks.set(m[1]!, versions);
      }
    } finally {
      this.p11.C_FindObjectsFinal(this.session);
    }
    this.keks = keks;
  }

  private handle(kekId: string, version?: number): { version: number; handle: Handle } | undefined {
    const find = () => {
      const versions = this.keks.get(kekId);
      if (!versions || versions.size === 0) return undefined;
      const v = version ?? Math.max(...versions.keys());
      const handle = versions.get(v);
      return handle ? { version: v, handle } : undefined;
    };
    let found = find();
    if (!found || version === undefined) {
      this.refresh();
      found = find();
    }
    return found;
  }

  /** Versions of every KEK on the token. */
  list(): Map<string, number[]> {
    this.refresh();
    return new Map([...this.keks].map(([id, v]) => [id, [...v.keys()].sort((a, b) => a - b)]));
  }

  /** Generates the next version of `kekId` inside the token (its first if new). */
  rotate(kekId: string): number {
    if (!KEK_ID.test(kekId))
      throw new KmsError('UNKNOWN_KEK', `KEK id ${JSON.stringify(kekId)}: use 1-200 of A-Z a-z 0-9 . _ -`);
    const lib = this.lib;
    this.refresh();
    const version = Math.max(0, ...(this.keks.get(kekId)?.keys() ?? [])) + 1;
    this.p11.C_GenerateKey(this.session, { mechanism: lib.CKM_AES_KEY_GEN }, [
      { type: lib.CKA_CLASS, value: lib.CKO_SECRET_KEY },
      { type: lib.CKA_KEY_TYPE, value: lib.CKK_AES },
      { type: lib.CKA_VALUE_LEN, value: 32 },
      { type: lib.CKA_TOKEN, value: true },
      { type: lib.CKA_PRIVATE, value: true },
      { type: lib.CKA_SENSITIVE, value: true },
      { type: lib.CKA_EXTRACTABLE, value: false },
      { type: lib.CKA_ENCRYPT, value: true },
      { type: lib.CKA_DECRYPT, value: true },
      { type: lib.CKA_LABEL, value: `${LABEL_PREFIX}${kekId}/${version}` },
    ]);
    this.refresh();
    return version;
  }

  private gcm(iv: Buffer, aad: Buffer): Mechanism {
    const lib = this.lib;
    return {
      mechanism: lib.CKM_AES_GCM,
      parameter: { type: lib.CK_PARAMS_GCM, iv, aad, ivBits: IV_BYTES * 8, tagBits: TAG_BITS },
    };
  }

  wrap(kekId: string, dek: Buffer): Promise<WrappedKeyRef> {
    try {
      this.assertOpen();
      const kek = this.handle(kekId);
      if (!kek) throw new KmsError('UNKNOWN_KEK', `${this.description} has no KEK "${kekId}"`);
      const iv = randomBytes(IV_BYTES);
      this.p11.C_EncryptInit(this.session, this.gcm(iv, wrapAssociatedData(kekId, kek.version)), kek.handle);
      const out = this.p11.C_Encrypt(this.session, dek, Buffer.alloc(dek.length + TAG_BITS / 8));
      return Promise.resolve({ kekId, kekVersion: kek.version, wrapped: Buffer.concat([iv, out]) });
    } catch (e) {
      return Promise.reject(this.asKmsError(e, `cannot wrap a data key under "${kekId}"`));
    }
  }

  unwrap(ref: WrappedKeyRef): Promise<Buffer> {
    try {
      this.assertOpen();
      const kek = this.handle(ref.kekId, ref.kekVersion);
      if (!kek)
        throw new KmsError(
          'UNKNOWN_KEK',
          `${this.description} has no KEK "${ref.kekId}" version ${ref.kekVersion}`,
        );
      if (ref.wrapped.length <= IV_BYTES + TAG_BITS / 8)
        throw new KmsError('UNWRAP_FAILED', `wrapped key under "${ref.kekId}" is too short`);
      const iv = ref.wrapped.subarray(0, IV_BYTES);
      const body = ref.wrapped.subarray(IV_BYTES);
      this.p11.C_DecryptInit(
        this.session,
        this.gcm(iv, wrapAssociatedData(ref.kekId, ref.kekVersion)),
        kek.handle,
      );
      const space = Buffer.alloc(body.length);
      let out: Buffer;
      try {
        out = this.p11.C_Decrypt(this.session, body, space);
      } catch {
        space.fill(0);
        throw new KmsError(
          'UNWRAP_FAILED',
          `KEK "${ref.kekId}" v${ref.kekVersion} rejected a wrapped data key`,
        );
      }
      // The DEK in a buffer of its own length (the caller wipes it when done); the scratch copy the
      // token wrote into is wiped here.
      const dek = Buffer.alloc(out.length);
      out.copy(dek);
      space.fill(0);
      return Promise.resolve(dek);
    } catch (e) {
      return Promise.reject(this.asKmsError(e, `cannot unwrap a data key under "${ref.kekId}"`));
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new KmsError('KMS_UNAVAILABLE', `${this.description} is closed`);
  }

  private asKmsError(e: unknown, what: string): KmsError {
    return e instanceof KmsError ? e : new KmsError('KMS_UNAVAILABLE', `${what}: ${(e as Error).message}`);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    try {
      // Logging out one session logs out all of the application's sessions on the token: only
      // closing, and the module's finalisation when the last user leaves, end the login.
      this.p11.C_CloseSession(this.session);
    } finally {
      releaseModule(this.modulePath);
    }
    return Promise.resolve();
  }
}
