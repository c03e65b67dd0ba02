// What is encrypted when a record's headers are sealed too: its headers followed by its value.
//
//   u32 header count, then per header: u16 key length + UTF-8 key, i32 value length (-1 = null) + bytes
//   the value: every byte after the headers (absent when the record's value is null)
import { EncryptionError } from './errors.js';

export interface HeaderLike {
  key: string;
  value: Buffer | null;
}

export function encodeParcel(headers: readonly HeaderLike[], value: Buffer | null): Buffer {
  const keys = headers.map((h) => Buffer.from(h.key, 'utf8'));
  let size = 4 + (value?.length ?? 0);
  headers.forEach((h, i) => (size += 2 + keys[i]!.length + 4 + (h.value?.length ?? 0)));
  const out = Buffer.allocUnsafe(size);
  let p = out.writeUInt32BE(headers.length, 0);
  headers.forEach((h, i) => {
    const k = keys[i]!;
    if (k.length > 0xffff) throw new RangeError('header key longer than 65535 bytes');
    p = out.writeUInt16BE(k.length, p);
    p += k.copy(out, p);
    p = out.writeInt32BE(h.value === null ? -1 : h.value.length, p);
    if (h.value) p += h.value.copy(out, p);
  });
  if (value) value.copy(out, p);
  return out;
}

export function decodeParcel(
  bytes: Buffer,
  valueIsNull: boolean,
): { headers: HeaderLike[]; value: Buffer | null } {
  const bad = (what: string): EncryptionError =>
    new EncryptionError('MALFORMED_ENVELOPE', `malformed sealed headers: ${what}`);
  if (bytes.length < 4) throw bad('too short');
  const count = bytes.readUInt32BE(0);
  // Each header needs at least 6 bytes: a count beyond that is corrupt, not a reason to allocate.
  if (count > (bytes.length - 4) / 6) throw bad(`header count ${count} exceeds the data`);
  const headers: HeaderLike[] = [];
  let p = 4;
  for (let i = 0; i < count; i++) {
    if (p + 2 > bytes.length) throw bad('header key length past the end');
    const kl = bytes.readUInt16BE(p);
    p += 2;
    if (p + kl + 4 > bytes.length) throw bad('header key past the end');
    const key = bytes.toString('utf8', p, p + kl);
    p += kl;
    const vl = bytes.readInt32BE(p);
    p += 4;
    if (vl < -1 || p + Math.max(vl, 0) > bytes.length) throw bad('header value past the end');
    headers.push({ key, value: vl === -1 ? null : bytes.subarray(p, p + vl) });
    p += Math.max(vl, 0);
  }
  if (valueIsNull && p !== bytes.length)
    throw bad(`${bytes.length - p} bytes after the headers of a null value`);
  return { headers, value: valueIsNull ? null : bytes.subarray(p) };
}
