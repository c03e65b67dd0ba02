// Parsing and formatting of the four SCRAM messages (RFC 5802 section 7) with Kafka's extensions
// (ScramExtensions: "key=value" attributes after the nonce in client-first, e.g. tokenauth=true).
// Parsers keep the exact substrings that enter AuthMessage, so proofs are computed over the bytes the
// peer actually sent, never over a re-serialisation.
import { ScramError } from './errors.js';
import { decodeSaslName } from './formatter.js';

export interface ClientFirstMessage {
  /** "n,," / "y,," / "n,a=<authzid>," as received: base64 of it must come back in c=. */
  readonly gs2Header: string;
  readonly gs2CbindFlag: 'n' | 'y';
  /** Decoded authzid, "" when absent. */
  readonly authzid: string;
  /** Decoded user name. */
  readonly username: string;
  readonly nonce: string;
  /** Kafka ScramExtensions (e.g. tokenauth). */
  readonly extensions: ReadonlyMap<string, string>;
  /** client-first-message-bare exactly as received. */
  readonly bare: string;
}

export interface ServerFirstMessage {
  readonly nonce: string;
  readonly salt: Buffer;
  readonly iterations: number;
  readonly raw: string;
}

export interface ClientFinalMessage {
  readonly channelBinding: string;
  readonly nonce: string;
  readonly proof: Buffer;
  /** client-final-message-without-proof exactly as received. */
  readonly withoutProof: string;
}

export type ServerFinalMessage = { readonly error: string } | { readonly signature: Buffer };

const malformed = (what: string): ScramError =>
  new ScramError('invalid-encoding', 'malformed-message', `Invalid SCRAM ${what} message format`);

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)?$/;
// printable = %x21-2B / %x2D-7E (no comma)
const PRINTABLE_RE = /^[\x21-\x2b\x2d-\x7e]+$/;
const EXT_KEY_RE = /^[A-Za-z]+$/;
// Kafka's VALUE: [\x01-\x7F] except ','
// eslint-disable-next-line no-control-regex -- the grammar admits control characters
const EXT_VALUE_RE = /^[\x01-\x2b\x2d-\x7f]+$/;

function decodeBase64(s: string, what: string): Buffer {
  if (!BASE64_RE.test(s)) throw malformed(what);
  return Buffer.from(s, 'base64');
}

function utf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformed(what);
  }
}

/** Parse a client-first-message. */
export function parseClientFirst(bytes: Uint8Array): ClientFirstMessage {
  const msg = utf8(bytes, 'client first');
  if (msg.includes('\0')) throw malformed('client first');
  // gs2-header = gs2-cbind-flag "," [ authzid ] ","
  const c1 = msg.indexOf(',');
  if (c1 < 0) throw malformed('client first');
  const flag = msg.slice(0, c1);
  if (flag.startsWith('p=')) {
    throw new ScramError(
      'channel-binding-not-supported',
      'malformed-message',
      'Channel binding is not supported',
    );
  }
  if (flag !== 'n' && flag !== 'y') throw malformed('client first');
  const c2 = msg.indexOf(',', c1 + 1);
  if (c2 < 0) throw malformed('client first');
  const authzField = msg.slice(c1 + 1, c2);
  let authzid = '';
  if (authzField !== '') {
    if (!authzField.startsWith('a=')) throw malformed('client first');
    const decoded = decodeSaslName(authzField.slice(2));
    if (decoded === undefined || decoded === '')
      throw new ScramError('invalid-username-encoding', 'malformed-message', 'Invalid authzid encoding');
    authzid = decoded;
  }
  const gs2Header = msg.slice(0, c2 + 1);
  const bare = msg.slice(c2 + 1);
  const attrs = bare.split(',');
  const first = attrs[0] ?? '';
  if (first.startsWith('m=')) {
    throw new ScramError(
      'extensions-not-supported',
      'malformed-message',
      'Mandatory extensions are not supported',
    );
  }
  if (attrs.length < 2 || !first.startsWith('n=') || !(attrs[1] ?? '').startsWith('r='))
    throw malformed('client first');
  const username = decodeSaslName(first.slice(2));
  if (username === undefined || username === '')
    throw new ScramError('invalid-username-encoding', 'malformed-message', 'Invalid user name encoding');
  const nonce = (attrs[1] ?? '').slice(2);
  if (!PRINTABLE_RE.test(nonce)) throw malformed('client first');
  const extensions = new Map<string, string>();
  for (const a of attrs.slice(2)) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw malformed('client first');
    const key = a.slice(0, eq);
    const value = a.slice(eq + 1);
    if (!EXT_KEY_RE.test(key) || !EXT_VALUE_RE.test(value)) throw malformed('client first');
    extensions.set(key, value);
  }
  return { gs2Header, gs2CbindFlag: flag, authzid, username, nonce, extensions, bare };
}

export function formatServerFirst(nonce: string, salt: Uint8Array, iterations: number): string {
  return `r=${nonce},s=${Buffer.from(salt).toString('base64')},i=${iterations}`;
}

/** Parse a server-first-message (client side). */
export function parseServerFirst(bytes: Uint8Array): ServerFirstMessage {
  const raw = utf8(bytes, 'server first');
  const attrs = raw.split(',');
  if (attrs[0]?.startsWith('m=')) {
    throw new ScramError(
      'extensions-not-supported',
      'malformed-message',
      'Mandatory extensions are not supported',
    );
  }
  const [r, s, i] = attrs;
  if (r === undefined || s === undefined || i === undefined) throw malformed('server first');
  if (!r.startsWith('r=') || !s.startsWith('s=') || !i.startsWith('i=')) throw malformed('server first');
  const nonce = r.slice(2);
  if (!PRINTABLE_RE.test(nonce)) throw malformed('server first');
  const salt = decodeBase64(s.slice(2), 'server first');
  if (!/^[0-9]{1,10}$/.test(i.slice(2))) throw malformed('server first');
  const iterations = Number.parseInt(i.slice(2), 10);
  if (iterations <= 0) throw malformed('server first');
  return { nonce, salt, iterations, raw };
}

/** Parse a client-final-message (server side). */
export function parseClientFinal(bytes: Uint8Array): ClientFinalMessage {
  const msg = utf8(bytes, 'client final');
  const p = msg.lastIndexOf(',p=');
  if (p < 0) throw malformed('client final');
  const withoutProof = msg.slice(0, p);
  const proof = decodeBase64(msg.slice(p + 3), 'client final');
  const attrs = withoutProof.split(',');
  const [c, r, ...exts] = attrs;
  if (c === undefined || r === undefined || !c.startsWith('c=') || !r.startsWith('r='))
    throw malformed('client final');
  const channelBinding = c.slice(2);
  if (!BASE64_RE.test(channelBinding)) throw malformed('client final');
  const nonce = r.slice(2);
  if (!PRINTABLE_RE.test(nonce)) throw malformed('client final');
  for (const e of exts) {
    const eq = e.indexOf('=');
    if (eq <= 0 || !EXT_KEY_RE.test(e.slice(0, eq))) throw malformed('client final');
  }
  return { channelBinding, nonce, proof, withoutProof };
}

export function formatClientFinalWithoutProof(gs2Header: string, nonce: string): string {
  return `c=${Buffer.from(gs2Header, 'utf8').toString('base64')},r=${nonce}`;
}

/** Parse a server-final-message (client side). */
export function parseServerFinal(bytes: Uint8Array): ServerFinalMessage {
  const msg = utf8(bytes, 'server final');
  const first = msg.split(',')[0] ?? '';
  if (first.startsWith('e=')) {
    const error = first.slice(2);
    if (error === '' || /[=,]/.test(error)) throw malformed('server final');
    return { error };
  }
  if (first.startsWith('v=')) return { signature: decodeBase64(first.slice(2), 'server final') };
  throw malformed('server final');
}
