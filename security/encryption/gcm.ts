// The AES-256-GCM operations of one record batch, given to an engine in one call.
//
// Per record (job i), the additional data is heads[i] || int32 BE length of recordKeys[i] (-1 when
// null) || recordKeys[i], and the 96-bit IV is the last 12 bytes of heads[i] (an envelope prefix
// ends with its nonce, envelope.ts). Sealing writes ciphertext || 16-byte tag into outputs[i]
// (inputs[i].length + 16 bytes); opening reads ciphertext || tag from inputs[i] and writes the
// plaintext into outputs[i] (inputs[i].length - 16 bytes). Parallel arrays rather than one object per
// record keep the native call cheap (no property look-ups per record).
export interface GcmJobs {
  heads: Buffer[];
  recordKeys: (Buffer | null)[];
  inputs: Buffer[];
  outputs: Buffer[];
}

export interface GcmEngine {
  /** Which implementation: Node's crypto API per record, or the native batch binding. */
  readonly kind: 'js' | 'native';
  /** Encrypts every job under the 32-byte key. */
  seal(key: Buffer, jobs: GcmJobs): void;
  /**
   * Decrypts every job; returns the index of the first job that fails authentication (outputs from
   * that job on hold nothing usable), or -1 when all are authentic.
   */
  open(key: Buffer, jobs: GcmJobs): number;
  /** The key is no longer used: drop whatever the engine derived from it (the native key schedule). */
  retire(key: Buffer): void;
  /** Whether the engine keeps anything derived from the key (a native context) until `retire`. */
  holds(key: Buffer): boolean;
}

export function emptyJobs(): GcmJobs {
  return { heads: [], recordKeys: [], inputs: [], outputs: [] };
}
