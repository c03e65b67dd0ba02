/**
 * A hand-built TLS ClientHello and the first answer to it, without completing a handshake: the way
 * TLS scanners (sslscan, testssl.sh) find out which protocol versions and cipher suites a server
 * accepts. Node's OpenSSL can offer neither TLS 1.0 suites at every security level nor RC4, DES,
 * 3DES or export suites at all, so asking through node:tls would leave those untested; the server's
 * ServerHello (it picked one of ours) or alert (it picked none) is all we need. RFC 5246 §7.4.1.2
 * (ClientHello), §7.4.1.3 (ServerHello), §7.2 (alerts); RFC 6066 §3 (server_name).
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { ECDHE_AEAD_TLS12_CIPHERS } from '../security/tls-ciphers.js';

export const TLS_VERSIONS = { SSLv3: 0x0300, TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303 } as const;
export type LegacyVersionName = keyof typeof TLS_VERSIONS;

/** IANA names of the suites the audit offers, for the report. */
export const SUITE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0001, 'TLS_RSA_WITH_NULL_MD5'],
  [0x0002, 'TLS_RSA_WITH_NULL_SHA'],
  [0x003b, 'TLS_RSA_WITH_NULL_SHA256'],
  [0xc006, 'TLS_ECDHE_ECDSA_WITH_NULL_SHA'],
  [0xc010, 'TLS_ECDHE_RSA_WITH_NULL_SHA'],
  [0x0034, 'TLS_DH_anon_WITH_AES_128_CBC_SHA'],
  [0x003a, 'TLS_DH_anon_WITH_AES_256_CBC_SHA'],
  [0x00a6, 'TLS_DH_anon_WITH_AES_128_GCM_SHA256'],
  [0x00a7, 'TLS_DH_anon_WITH_AES_256_GCM_SHA384'],
  [0xc018, 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA'],
  [0xc019, 'TLS_ECDH_anon_WITH_AES_256_CBC_SHA'],
  [0x0003, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5'],
  [0x0006, 'TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5'],
  [0x0008, 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0014, 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA'],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA'],
  [0x0009, 'TLS_RSA_WITH_DES_CBC_SHA'],
  [0x0015, 'TLS_DHE_RSA_WITH_DES_CBC_SHA'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256'],
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384'],
  [0xc09c, 'TLS_RSA_WITH_AES_128_CCM'],
  [0xc09d, 'TLS_RSA_WITH_AES_256_CCM'],
  [0x0041, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0xc050, 'TLS_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc051, 'TLS_RSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc004, 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA'],
  [0xc00e, 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA'],
  [0xc02d, 'TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256'],
  [0xc031, 'TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256'],
  // forward-secret suites a TLS 1.0/1.1 server would pick (the version probes offer these)
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA'],
]);

/** Weak suite classes the audit asks for one class at a time (each must be refused). */
export const WEAK_SUITE_CLASSES: { name: string; why: string; suites: number[] }[] = [
  { name: 'NULL', why: 'no encryption', suites: [0x0001, 0x0002, 0x003b, 0xc006, 0xc010] },
  {
    name: 'anonymous',
    why: 'no server authentication',
    suites: [0x0034, 0x003a, 0x00a6, 0x00a7, 0xc018, 0xc019],
  },
  { name: 'EXPORT', why: '40-bit keys', suites: [0x0003, 0x0006, 0x0008, 0x0014] },
  { name: 'RC4', why: 'broken stream cipher (RFC 7465)', suites: [0x0004, 0x0005, 0xc007, 0xc011] },
  {
    name: 'DES/3DES',
    why: '56-bit or 64-bit-block ciphers (SWEET32)',
    suites: [0x0009, 0x0015, 0x000a, 0x0016, 0xc008, 0xc012],
  },
  {
    name: 'non-forward-secret',
    why: 'static RSA or ECDH key exchange: a stolen server key decrypts recorded traffic',
    suites: [
      0x002f, 0x0035, 0x003c, 0x003d, 0x009c, 0x009d, 0xc09c, 0xc09d, 0x0041, 0x0084, 0xc050, 0xc051, 0xc004,
      0xc00e, 0xc02d, 0xc031,
    ],
  },
];

/** The TLS 1.2 suites docs/security.md recommends: ECDHE key exchange and AEAD ciphers only. */
export const RECOMMENDED_TLS_CIPHERS = ECDHE_AEAD_TLS12_CIPHERS;

/** Suites a TLS 1.0/1.1 server accepts in practice: offered by the version probes. */
export const LEGACY_VERSION_SUITES = [0xc013, 0xc014, 0xc009, 0xc00a, 0x0033, 0x0039, 0x002f, 0x0035, 0x000a];

/** Signalling value (RFC 5746): some servers refuse a ClientHello without renegotiation support. */
const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length), body]);
}

const vector16 = (items: number[]): Buffer => Buffer.concat([u16(items.length * 2), ...items.map(u16)]);

export interface ClientHelloOptions {
  version: number;
  suites: readonly number[];
  /** SNI; omitted for IP addresses (RFC 6066 forbids literal addresses). */
  serverName?: string;
}

export function buildClientHello(o: ClientHelloOptions): Buffer {
  const extensions: Buffer[] = [];
  if (o.serverName && isIP(o.serverName) === 0) {
    const name = Buffer.from(o.serverName, 'ascii');
    const entry = Buffer.concat([Buffer.from([0]), u16(name.length), name]);
    extensions.push(extension(0x0000, Buffer.concat([u16(entry.length), entry])));
  }
  // supported_groups: x25519, secp256r1, secp384r1, ffdhe2048; ec_point_formats: uncompressed
  extensions.push(extension(0x000a, vector16([0x001d, 0x0017, 0x0018, 0x0100])));
  extensions.push(extension(0x000b, Buffer.from([1, 0])));
  if (o.version >= TLS_VERSIONS['TLSv1.2']) {
    // signature_algorithms (TLS 1.2 only): RSA-PSS, ECDSA, RSA PKCS#1 with SHA-2, then SHA-1
    extensions.push(
      extension(
        0x000d,
        vector16([0x0804, 0x0805, 0x0806, 0x0403, 0x0503, 0x0603, 0x0401, 0x0501, 0x0601, 0x0201, 0x0203]),
      ),
    );
  }
  const suites = [...o.suites, EMPTY_RENEGOTIATION_INFO_SCSV];
  const exts = Buffer.concat(extensions);
  const body = Buffer.concat([
    u16(o.version),
    randomBytes(32),
    Buffer.from([0]), // no session id
    vector16(suites),
    Buffer.from([1, 0]), // compression: null only
    u16(exts.length),
    exts,
  ]);
  const handshake = Buffer.concat([Buffer.from([1]), u24(body.length), body]);
  // The record layer version of a first ClientHello is conventionally TLS 1.0 (RFC 5246 appendix E.1).
  return Buffer.concat([Buffer.from([0x16]), u16(0x0301), u16(handshake.length), handshake]);
}

export type HelloAnswer =
  | { kind: 'server-hello'; version: number; suite: number }
  | { kind: 'alert'; level: number; description: number }
  | { kind: 'incomplete' }
  | { kind: 'not-tls'; firstByte: number };

/**
 * Reads the server's first answer from the bytes received so far: a ServerHello (which version and
 * suite it picked) or an alert (it refused). 'incomplete' means more bytes are needed.
 */
export function parseServerAnswer(bytes: Buffer): HelloAnswer {
  if (bytes.length < 5) return { kind: 'incomplete' };
  const type = bytes[0]!;
  if (type !== 0x15 && type !== 0x16) return { kind: 'not-tls', firstByte: type };
  // Handshake messages may span records: gather the fragments of consecutive handshake records.
  if (type === 0x15) {
    if (bytes.length < 7) return { kind: 'incomplete' };
    return { kind: 'alert', level: bytes[5]!, description: bytes[6]! };
  }
  const fragments: Buffer[] = [];
  let at = 0;
  while (at + 5 <= bytes.length && bytes[at] === 0x16) {
    const len = bytes.readUInt16BE(at + 3);
    if (at + 5 + len > bytes.length) break;
    fragments.push(bytes.subarray(at + 5, at + 5 + len));
    at += 5 + len;
  }
  const hs = Buffer.concat(fragments);
  if (hs.length < 4) return { kind: 'incomplete' };
  if (hs[0] !== 2) return { kind: 'not-tls', firstByte: type };
  const len = (hs[1]! << 16) | (hs[2]! << 8) | hs[3]!;
  if (hs.length < 4 + Math.min(len, 38)) return { kind: 'incomplete' };
  const version = hs.readUInt16BE(4);
  const sessionIdLength = hs[38]!;
  const suiteAt = 39 + sessionIdLength;
  if (hs.length < suiteAt + 2) return { kind: 'incomplete' };
  return { kind: 'server-hello', version, suite: hs.readUInt16BE(suiteAt) };
}

export const versionName = (v: number): string =>
  (Object.entries(TLS_VERSIONS).find(([, n]) => n === v)?.[0] ?? `0x${v.toString(16)}`) as string;

export const suiteName = (s: number): string => SUITE_NAMES.get(s) ?? `0x${s.toString(16).padStart(4, '0')}`;

/** RFC 5246 §7.2 alert descriptions the report names. */
export const alertName = (d: number): string =>
  ({ 40: 'handshake_failure', 47: 'illegal_parameter', 70: 'protocol_version', 71: 'insufficient_security' })[
    d
  ] ?? `alert ${d}`;
