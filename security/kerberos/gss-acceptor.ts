/**
 * MIT Kerberos' GSS-API acceptor through the gateway's own small Node-API binding
 * (native/kgw_gssapi.c, compiled by deploy/setup.sh). Ticket decryption, authenticator and clock-skew
 * checks, the replay cache and the AP-REP all happen inside MIT's library; this module only types the
 * binding and loads it on first use, so a gateway without GSSAPI never needs it.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** An opaque GSS-API security context (one per authenticating connection). */
export interface GssContext {
  readonly __gssContext: never;
}
/** Opaque acceptor credentials: the service principal's keys in a keytab. */
interface GssCredential {
  readonly __gssCredential: never;
}

export interface AcceptStep {
  context: GssContext;
  /** The context is established: clientName is the authenticated principal. */
  complete: boolean;
  /** Token for the client (the AP-REP when the client asked for mutual authentication); may be empty. */
  output: Buffer;
  /** The client's principal as Kerberos prints it, e.g. "alice/admin@EXAMPLE.COM". */
  clientName?: string;
  /** The client authenticated anonymously (RFC 8062 anonymous PKINIT): it has no identity. */
  anonymous?: boolean;
}

interface Binding {
  acquireAcceptor(keytab: string, servicePrincipal: string): GssCredential;
  accept(cred: GssCredential, context: GssContext | null, token: Buffer): Promise<AcceptStep>;
  wrap(context: GssContext, message: Buffer): Buffer;
  unwrap(context: GssContext, token: Buffer): Buffer;
  release(context: GssContext): void;
  defaultRealm(): string | null;
}

/** Where deploy/setup.sh puts the compiled binding (this file runs from dist/security/kerberos/). */
export const NATIVE_BINDING_PATH = fileURLToPath(
  new URL('../../../security/kerberos/native/build/kgw_gssapi.node', import.meta.url),
);

export class GssUnavailableError extends Error {
  override readonly name = 'GssUnavailableError';
}

let binding: Binding | undefined;
function native(): Binding {
  if (binding) return binding;
  try {
    binding = createRequire(import.meta.url)(NATIVE_BINDING_PATH) as Binding;
    return binding;
  } catch (e) {
    throw new GssUnavailableError(
      `the GSSAPI binding is not built (${NATIVE_BINDING_PATH}: ${(e as Error).message}); ` +
        'run deploy/setup.sh, which needs Debian packages libkrb5-dev and a C compiler',
    );
  }
}

/** krb5.conf's default_realm (the file named by KRB5_CONFIG, else /etc/krb5.conf), if any. */
export function krb5DefaultRealm(): string | undefined {
  return native().defaultRealm() ?? undefined;
}

export class GssAcceptor {
  private constructor(private readonly cred: GssCredential) {}

  /**
   * Acceptor credentials for `servicePrincipal` from `keytabPath`; "*" accepts a ticket for any
   * principal in the keytab (one per broker host name with SNI addressing). The keytab is read again
   * by MIT's library at each authentication, so replacing the file rotates keys without a restart.
   * @throws Error with MIT's explanation when the keytab cannot be read or lacks the principal.
   */
  static open(keytabPath: string, servicePrincipal: string): GssAcceptor {
    return new GssAcceptor(native().acquireAcceptor(`FILE:${keytabPath}`, servicePrincipal));
  }

  /** One gss_accept_sec_context step (runs on libuv's thread pool); `context` is null for the first. */
  accept(context: GssContext | null, token: Buffer): Promise<AcceptStep> {
    return native().accept(this.cred, context, token);
  }

  /** A wrap token with integrity protection only. */
  wrap(context: GssContext, message: Buffer): Buffer {
    return native().wrap(context, message);
  }

  /** The message inside the client's wrap token; throws if its integrity check fails. */
  unwrap(context: GssContext, token: Buffer): Buffer {
    return native().unwrap(context, token);
  }

  /** Frees the context now rather than when it is garbage-collected. */
  release(context: GssContext): void {
    native().release(context);
  }
}
