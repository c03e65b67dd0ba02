// The keyring's one piece of I/O: reading it (refusing a file others could read or write, as ssh
// refuses a private key with loose permissions), noticing when it changed (rotation without a
// restart), and writing it atomically with mode 0600.
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { parseKeyring, serializeKeyring, KeyringKms, type Keyring } from './keyring.js';
import { KmsError } from './kms.js';

/** Why a keyring file may not be used, or undefined if it may. */
export function unsafeKeyringReason(path: string, st: Stats, uid = process.getuid?.()): string | undefined {
  if (!st.isFile()) return `${path} is not a regular file`;
  if ((st.mode & 0o077) !== 0)
    return `${path} has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}; a keyring must not be readable or writable by group or others (chmod 600 ${path})`;
  if (uid !== undefined && st.uid !== uid)
    return `${path} is owned by uid ${st.uid}, not by this process (uid ${uid})`;
  return undefined;
}

export function readKeyringFile(path: string): Keyring {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new KmsError('KMS_UNAVAILABLE', `cannot read keyring ${path}: ${(e as Error).message}`);
  }
  const unsafe = unsafeKeyringReason(path, st);
  if (unsafe) throw new KmsError('KMS_UNAVAILABLE', `refusing keyring: ${unsafe}`);
  return parseKeyring(readFileSync(path, 'utf8'), path);
}

/** Writes the keyring to a temporary file (0600) beside it, then renames it into place. */
export function writeKeyringFile(path: string, ring: Keyring): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, serializeKeyring(ring));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * The keyring behind a file, re-read when the file changes (checked at most once per
 * `checkIntervalMs`). A file that becomes unreadable, unsafe or malformed stops the KMS (fail
 * closed) until it is fixed; the error names the file and the problem.
 */
export class KeyringFile {
  private ring: Keyring;
  private stamp: string;
  private checkedAt = Date.now();

  constructor(
    readonly path: string,
    private readonly checkIntervalMs = 1000,
  ) {
    this.ring = readKeyringFile(path);
    this.stamp = stampOf(statSync(path));
  }

  current(): Keyring {
    const now = Date.now();
    if (now - this.checkedAt < this.checkIntervalMs) return this.ring;
    this.checkedAt = now;
    let st: Stats;
    try {
      st = statSync(this.path);
    } catch (e) {
      throw new KmsError('KMS_UNAVAILABLE', `cannot read keyring ${this.path}: ${(e as Error).message}`);
    }
    const stamp = stampOf(st);
    if (stamp !== this.stamp) {
      try {
        this.ring = readKeyringFile(this.path);
      } catch (e) {
        throw e instanceof KmsError ? e : new KmsError('KMS_UNAVAILABLE', (e as Error).message);
      }
      this.stamp = stamp;
    }
    return this.ring;
  }

  /** Forget the last check time, so the next use looks at the file (after an unknown KEK version). */
  recheck(): void {
    this.checkedAt = 0;
  }
}

function stampOf(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.mode}:${st.uid}`;
}

/** A KMS over a keyring file. Unknown KEKs make it look at the file again before failing. */
export function keyringFileKms(path: string, checkIntervalMs?: number): KeyringKms {
  const file = new KeyringFile(path, checkIntervalMs);
  return new KeyringKms(
    () => file.current(),
    `keyring ${path}`,
    () => file.recheck(),
  );
}
