// Constant-time comparison helpers. Comparing SHA-256 digests makes the work independent of where
// the inputs differ and of whether their lengths differ (timingSafeEqual itself throws on unequal
// lengths, and returning early on length would leak the secret's length).
import { createHash, timingSafeEqual } from 'node:crypto';

export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  // Both the digest comparison and the exact comparison run on every call.
  const sameDigest = timingSafeEqual(da, db);
  const ba = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a);
  const bb = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
  return sameDigest && ba.length === bb.length && timingSafeEqual(ba, bb);
}
