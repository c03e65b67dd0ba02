// In-memory SCRAM credential store: user → mechanism → credential. The gateway fills it by replaying
// the compacted credentials topic (applyRecord) and serves AlterUserScramCredentials /
// DescribeUserScramCredentials from it; ScramServer reads it through lookupFor().
import type { ScramCredential, ScramMechanismName } from '../scram/formatter.js';
import { checkIterations } from '../scram/formatter.js';
import type { DecodedCredentialRecord } from './record.js';
import { credentialTombstone, decodeCredentialRecord, encodeCredentialRecord } from './record.js';

/** What DescribeUserScramCredentials returns per user: mechanisms and iterations, never keys. */
export interface CredentialInfo {
  readonly mechanism: ScramMechanismName;
  readonly iterations: number;
}

export class CredentialStore {
  private readonly users = new Map<string, Map<ScramMechanismName, ScramCredential>>();

  get(user: string, mechanism: ScramMechanismName): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism);
  }

  /** Store a credential (iterations are checked against Kafka's bounds); returns the record to persist. */
  set(
    user: string,
    mechanism: ScramMechanismName,
    credential: ScramCredential,
  ): { key: string; value: Buffer } {
    if (user.length === 0) throw new RangeError('user name must not be empty');
    checkIterations(mechanism, credential.iterations);
    let m = this.users.get(user);
    if (m === undefined) this.users.set(user, (m = new Map()));
    m.set(mechanism, credential);
    return encodeCredentialRecord(user, mechanism, credential);
  }

  /** Delete a credential; returns the tombstone to persist, or undefined if there was none. */
  delete(user: string, mechanism: ScramMechanismName): { key: string; value: null } | undefined {
    const m = this.users.get(user);
    if (m?.delete(mechanism) !== true) return undefined;
    if (m.size === 0) this.users.delete(user);
    return credentialTombstone(user, mechanism);
  }

  /** Replay one record of the credentials topic. */
  applyRecord(key: string, value: Uint8Array | null): DecodedCredentialRecord {
    const r = decodeCredentialRecord(key, value);
    if (r.op === 'put') {
      let m = this.users.get(r.user);
      if (m === undefined) this.users.set(r.user, (m = new Map()));
      m.set(r.mechanism, r.credential);
    } else this.delete(r.user, r.mechanism);
    return r;
  }

  /** DescribeUserScramCredentials for one user (undefined: RESOURCE_NOT_FOUND). */
  describe(user: string): CredentialInfo[] | undefined {
    const m = this.users.get(user);
    if (m === undefined) return undefined;
    return [...m.entries()].map(([mechanism, c]) => ({ mechanism, iterations: c.iterations }));
  }

  listUsers(): string[] {
    return [...this.users.keys()];
  }

  get size(): number {
    let n = 0;
    for (const m of this.users.values()) n += m.size;
    return n;
  }

  /** The lookup function ScramServer wants for one mechanism. */
  lookupFor(mechanism: ScramMechanismName): (user: string) => ScramCredential | undefined {
    return (user) => this.get(user, mechanism);
  }

  /** Every credential as records (for writing a full snapshot). */
  *records(): Generator<{ key: string; value: Buffer }> {
    for (const [user, m] of this.users)
      for (const [mech, c] of m) yield encodeCredentialRecord(user, mech, c);
  }
}
