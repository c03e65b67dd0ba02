// SCRAM client (RFC 5802 / RFC 7677): used by tests and by the gateway to authenticate upstream as its
// service principal. Message shapes follow Kafka's ScramSaslClient: gs2 header "n,," (or "n,a=...,"),
// Kafka extensions after the nonce, iterations below the mechanism minimum refused.
import { timingSafeEqual } from 'node:crypto';
import { ScramError } from './errors.js';
import type { ScramMechanismName } from './formatter.js';
import {
  SCRAM_MECHANISMS,
  clientKey,
  encodeSaslName,
  hi,
  hmac,
  secureRandomString,
  serverKey,
  storedKey,
  xor,
} from './formatter.js';
import { formatClientFinalWithoutProof, parseServerFinal, parseServerFirst } from './messages.js';

export interface ScramClientOptions {
  readonly mechanism: ScramMechanismName;
  readonly username: string;
  readonly password: string;
  /** Optional authzid for the gs2 header; Kafka requires it to equal username if present. */
  readonly authzid?: string;
  /** Kafka SCRAM extensions, e.g. { tokenauth: 'true' } for delegation tokens. */
  readonly extensions?: Readonly<Record<string, string>>;
  /** Client nonce (tests); default 130 random bits in base 36 like Kafka. */
  readonly nonce?: string;
  /** Refuse server-first messages announcing more iterations (DoS guard). Default 100000. */
  readonly maxIterations?: number;
}

type State = 'INITIAL' | 'SENT_FIRST' | 'SENT_FINAL' | 'COMPLETE' | 'FAILED';

export class ScramClient {
  private state: State = 'INITIAL';
  private readonly gs2Header: string;
  private readonly bare: string;
  private readonly clientNonce: string;
  private expectedServerSignature: Buffer | undefined;

  constructor(private readonly opts: ScramClientOptions) {
    this.clientNonce = opts.nonce ?? secureRandomString();
    this.gs2Header =
      opts.authzid !== undefined && opts.authzid !== '' ? `n,a=${encodeSaslName(opts.authzid)},` : 'n,,';
    const ext = Object.entries(opts.extensions ?? {})
      .map(([k, v]) => `,${k}=${v}`)
      .join('');
    this.bare = `n=${encodeSaslName(opts.username)},r=${this.clientNonce}${ext}`;
  }

  get isComplete(): boolean {
    return this.state === 'COMPLETE';
  }

  /** The client-first-message (SaslAuthenticate's first auth_bytes). */
  first(): Buffer {
    if (this.state !== 'INITIAL')
      throw new ScramError('other-error', 'unexpected-message', 'first() called twice');
    this.state = 'SENT_FIRST';
    return Buffer.from(this.gs2Header + this.bare, 'utf8');
  }

  /** Handle server-first, return client-final. */
  final(serverFirstBytes: Uint8Array): Buffer {
    if (this.state !== 'SENT_FIRST')
      throw this.fail(new ScramError('other-error', 'unexpected-message', 'unexpected server-first'));
    try {
      const m = SCRAM_MECHANISMS[this.opts.mechanism];
      const sf = parseServerFirst(serverFirstBytes);
      if (!sf.nonce.startsWith(this.clientNonce) || sf.nonce.length === this.clientNonce.length)
        throw new ScramError(
          'other-error',
          'nonce-mismatch',
          'Invalid server nonce: does not start with client nonce',
        );
      if (sf.iterations < m.minIterations)
        throw new ScramError(
          'other-error',
          'iterations-too-low',
          `Requested iterations ${sf.iterations} is less than the minimum ${m.minIterations} for ${m.name}`,
        );
      if (sf.iterations > (this.opts.maxIterations ?? 100_000))
        throw new ScramError(
          'other-error',
          'iterations-too-high',
          `Requested iterations ${sf.iterations} is too high`,
        );
      const salted = hi(m.hash, this.opts.password, sf.salt, sf.iterations);
      const withoutProof = formatClientFinalWithoutProof(this.gs2Header, sf.nonce);
      const authMessage = `${this.bare},${sf.raw},${withoutProof}`;
      const ck = clientKey(m.hash, salted);
      const proof = xor(ck, hmac(m.hash, storedKey(m.hash, ck), authMessage));
      this.expectedServerSignature = hmac(m.hash, serverKey(m.hash, salted), authMessage);
      this.state = 'SENT_FINAL';
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
    } catch (e) {
      throw this.fail(e);
    }
  }

  /** Verify server-final; throws ScramError on e=... or a wrong server signature. */
  verify(serverFinalBytes: Uint8Array): void {
    if (this.state !== 'SENT_FINAL' || this.expectedServerSignature === undefined)
      throw this.fail(new ScramError('other-error', 'unexpected-message', 'unexpected server-final'));
    try {
      const sf = parseServerFinal(serverFinalBytes);
      if ('error' in sf)
        throw new ScramError(
          'other-error',
          'server-error',
          `Sasl authentication using ${this.opts.mechanism} failed with error: ${sf.error}`,
        );
      const expected = this.expectedServerSignature;
      if (sf.signature.length !== expected.length || !timingSafeEqual(sf.signature, expected))
        throw new ScramError(
          'other-error',
          'server-signature-mismatch',
          'Invalid server signature in server final message',
        );
      this.state = 'COMPLETE';
    } catch (e) {
      throw this.fail(e);
    }
  }

  private fail(e: unknown): ScramError {
    this.state = 'FAILED';
    return e instanceof ScramError ? e : new ScramError('other-error', 'server-error', (e as Error).message);
  }
}
