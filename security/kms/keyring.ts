// A local keyring: named, versioned AES-256 key-encryption keys kept in one JSON document, and a
// KMS over it. Pure: parsing, validation, rotation and wrapping; the file I/O (with its permission
// checks) is keyring-file.ts.
//
// Format (`format: kgw-keyring/1`):
//   { "format": "kgw-keyring/1",
//     "keks": { "<kek id>": [ { "version": 1, "created": "<ISO-8601>", "key": "<base64, 32 bytes>" }, ... ] } }
// The highest version of a KEK wraps new data keys; every listed version unwraps. Rotation appends
// a version; removing a version makes the records whose keys it wrapped unreadable (crypto-shredding).
//
// Wrapping is AES-256-GCM (NIST SP 800-38D) with a random 96-bit IV (§8.2.2): one wrap per data-key
// rotation keeps each KEK version many orders of magnitude below the 2^32 invocations §8.3 allows
// for random IVs. The KEK id and version are authenticated as additional data.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KmsError, wrapAssociatedData, type KeyManagementService, type WrappedKeyRef } from './kms.js';

export const KEYRING_FORMAT = 'kgw-keyring/1';
const KEK_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEK_ID = /^[A-Za-z0-9._-]{1,200}$/;

export interface KekVersion {
  version: number;
  created: string;
  key: Buffer;
}

export interface Keyring {
  keks: Map<string, KekVersion[]>;
}

/** A problem in a keyring document, naming where (`source` is usually the file path). */
export class KeyringFormatError extends Error {
  override readonly name = 'KeyringFormatError';
}

export function parseKeyring(text: string, source: string): Keyring {
  const fail = (path: string, msg: string): never => {
    throw new KeyringFormatError(`${source}: ${path}: ${msg}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail('(document)', `not JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null) return fail('(document)', 'expected a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.format !== KEYRING_FORMAT)
    fail('format', `expected "${KEYRING_FORMAT}", found ${JSON.stringify(d.format)}`);
  for (const k of Object.keys(d)) if (k !== 'format' && k !== 'keks') fail(k, 'unknown field');
  if (typeof d.keks !== 'object' || d.keks === null || Array.isArray(d.keks))
    fail('keks', 'expected an object');
  const keks = new Map<string, KekVersion[]>();
  for (const [id, versions] of Object.entries(d.keks as Record<string, unknown>)) {
    const at = `keks.${id}`;
    if (!KEK_ID.test(id)) fail(at, 'a KEK id is 1-200 of A-Z a-z 0-9 . _ -');
    if (!Array.isArray(versions) || versions.length === 0) fail(at, 'expected a non-empty array of versions');
    const seen = new Set<number>();
    const list = (versions as unknown[]).map((v, i): KekVersion => {
      const vat = `${at}[${i}]`;
      if (typeof v !== 'object' || v === null) return fail(vat, 'expected an object');
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o))
        if (k !== 'version' && k !== 'created' && k !== 'key') fail(`${vat}.${k}`, 'unknown field');
      if (!Number.isInteger(o.version) || (o.version as number) < 1 || (o.version as number) > 0xffffffff)
        fail(`${vat}.version`, 'expected an integer 1..4294967295');
      if (seen.has(o.version as number)) fail(`${vat}.version`, `duplicate version ${String(o.version)}`);
      seen.add(o.version as number);
      if (typeof o.created !== 'string') fail(`${vat}.created`, 'expected an ISO-8601 string');
      if (typeof o.key !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(o.key))
        fail(`${vat}.key`, 'expected base64');
      const key = Buffer.from(o.key as string, 'base64');
      if (key.length !== KEK_BYTES) fail(`${vat}.key`, `expected ${KEK_BYTES} bytes, found ${key.length}`);
      return { version: o.version as number, created: o.created as string, key };
    });
    keks.set(
      id,
      list.sort((a, b) => a.version - b.version),
    );
  }
  return { keks };
}

export function serializeKeyring(ring: Keyring): string {
  const keks: Record<string, unknown[]> = {};
  for (const [id, versions] of ring.keks)
    keks[id] = versions.map((v) => ({
      version: v.version,
      created: v.created,
      key: v.key.toString('base64'),
    }));
  return JSON.stringify({ format: KEYRING_FORMAT, keks }, null, 2) + '\n';
}

/**
 * A keyring with one more version of `kekId` (its first if new): fresh random key material.
 * Returns the new ring and the version added; the input is not changed.
 */
export function rotateKek(ring: Keyring, kekId: string, now: Date): { ring: Keyring; version: number } {
  if (!KEK_ID.test(kekId))
    throw new KeyringFormatError(`KEK id ${JSON.stringify(kekId)}: use 1-200 of A-Z a-z 0-9 . _ -`);
  const versions = ring.keks.get(kekId) ?? [];
  const version = (versions.at(-1)?.version ?? 0) + 1;
  const keks = new Map(ring.keks);
  keks.set(kekId, [...versions, { version, created: now.toISOString(), key: randomBytes(KEK_BYTES) }]);
  return { ring: { keks }, version };
}

export function emptyKeyring(): Keyring {
  return { keks: new Map() };
}

/** A KMS over a keyring; `current()` returns the latest ring (the file module reloads it). */
export class KeyringKms implements KeyManagementService {
  constructor(
    private readonly current: () => Keyring,
    readonly description: string,
    /** Called before giving up on an unknown KEK or version (the file source re-reads then). */
    private readonly onMiss: () => void = () => undefined,
  ) {}

  private versions(kekId: string): KekVersion[] | undefined {
    let versions = this.current().keks.get(kekId);
    if (!versions) {
      this.onMiss();
      versions = this.current().keks.get(kekId);
    }
    return versions;
  }

  wrap(kekId: string, dek: Buffer): Promise<WrappedKeyRef> {
    let latest: KekVersion | undefined;
    try {
      this.onMiss(); // a new data key is rare: always wrap with the newest version on file
      latest = this.versions(kekId)?.at(-1);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    if (!latest)
      return Promise.reject(new KmsError('UNKNOWN_KEK', `${this.description} has no KEK "${kekId}"`));
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', latest.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(wrapAssociatedData(kekId, latest.version));
    const wrapped = Buffer.concat([iv, cipher.update(dek), cipher.final(), cipher.getAuthTag()]);
    return Promise.resolve({ kekId, kekVersion: latest.version, wrapped });
  }

  unwrap(ref: WrappedKeyRef): Promise<Buffer> {
    let kek: KekVersion | undefined;
    try {
      const find = (): KekVersion | undefined =>
        this.versions(ref.kekId)?.find((v) => v.version === ref.kekVersion);
      kek = find();
      if (!kek) {
        this.onMiss();
        kek = find();
      }
    } catch (e) {
      return Promise.reject(e as Error);
    }
    if (!kek)
      return Promise.reject(
        new KmsError(
          'UNKNOWN_KEK',
          `${this.description} has no KEK "${ref.kekId}" version ${ref.kekVersion}`,
        ),
      );
    const w = ref.wrapped;
    if (w.length < IV_BYTES + TAG_BYTES)
      return Promise.reject(new KmsError('UNWRAP_FAILED', `wrapped key under "${ref.kekId}" is too short`));
    try {
      const decipher = createDecipheriv('aes-256-gcm', kek.key, w.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(wrapAssociatedData(ref.kekId, ref.kekVersion));
      decipher.setAuthTag(w.subarray(w.length - TAG_BYTES));
      // update's output is the DEK itself, returned as is: a concatenation would leave an unwiped
      // copy behind (GCM's final() never adds bytes). Unauthenticated output is wiped on failure.
      const dek = decipher.update(w.subarray(IV_BYTES, w.length - TAG_BYTES));
      try {
        decipher.final();
      } catch (e) {
        dek.fill(0);
        throw e;
      }
      return Promise.resolve(dek);
    } catch {
      return Promise.reject(
        new KmsError('UNWRAP_FAILED', `KEK "${ref.kekId}" v${ref.kekVersion} rejected a wrapped data key`),
      );
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
