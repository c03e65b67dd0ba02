/**
 * The server side of SASL/GSSAPI (Kerberos V5, RFC 4752) as a Kafka broker runs it (Java's
 * GssKrb5Server under Kafka's SaslServerAuthenticator), over MIT Kerberos' acceptor:
 *
 *   client token (AP-REQ) ──▶ accept ──▶ AP-REP (mutual authentication)        context established
 *   empty token            ──▶ wrap([no layer, max 0])                          security-layer offer
 *   wrapped selection      ──▶ unwrap, check "no layer" ──▶ empty, done          User:<short name>
 *
 * The authenticated principal ("alice/admin@EXAMPLE.COM") becomes User:<short name> by
 * sasl.kerberos.principal.to.local.rules, as Kafka's DefaultKafkaPrincipalBuilder does. An
 * authorization identity in the client's last message is ignored, as Kafka's
 * SaslServerCallbackHandler authorizes the authentication identity whatever is asked for.
 * Every failure ends the exchange with the same message to the client; the reason goes to the log.
 */
import {
  GssAcceptor,
  GssUnavailableError,
  krb5DefaultRealm,
  type GssContext,
} from '../../security/kerberos/gss-acceptor.js';
import { parseClientLayerSelection, serverLayerOffer } from '../../security/kerberos/sasl-security-layer.js';
import { KerberosShortNamer } from '../../security/kerberos/short-namer.js';
import type { KerberosConfig } from '../config/schema.js';
import { AuthenticationFailed, type SaslExchange, type SaslStep } from './mechanisms.js';

export interface GssapiServerOptions {
  acceptor: Pick<GssAcceptor, 'accept' | 'wrap' | 'unwrap' | 'release'>;
  shortNamer: KerberosShortNamer;
}

const CLIENT_MESSAGE =
  'Authentication failed during authentication due to invalid credentials with SASL mechanism GSSAPI';

type Stage = 'context' | 'offer' | 'selection' | 'done';

export function gssapiExchange(opts: GssapiServerOptions): SaslExchange {
  let stage: Stage = 'context';
  let context: GssContext | null = null;
  let clientName = '';

  const fail = (reason: string): never => {
    if (context) opts.acceptor.release(context);
    context = null;
    stage = 'done';
    throw new AuthenticationFailed(CLIENT_MESSAGE, `GSSAPI: ${reason}`);
  };
  const offer = (ctx: GssContext): SaslStep => {
    stage = 'selection';
    return { done: false, challenge: opts.acceptor.wrap(ctx, serverLayerOffer()) };
  };

  return {
    async step(token): Promise<SaslStep> {
      try {
        switch (stage) {
          case 'context': {
            const s = await opts.acceptor.accept(context, token);
            context = s.context;
            if (!s.complete) return { done: false, challenge: s.output };
            clientName = s.clientName ?? fail('context established without a client name');
            // Kafka's Java acceptor cannot accept anonymous Kerberos; neither does the gateway.
            if (s.anonymous) return fail(`anonymous Kerberos client (${clientName}) refused`);
            if (s.output.length > 0) {
              stage = 'offer'; // the client answers the AP-REP with an empty token
              return { done: false, challenge: s.output };
            }
            return offer(context);
          }
          case 'offer':
            if (token.length > 0) return fail('expected an empty token after the context was established');
            return offer(context!);
          case 'selection': {
            // Throws unless the client chose "no security layer"; nothing else in it is used.
            parseClientLayerSelection(opts.acceptor.unwrap(context!, token));
            let shortName: string;
            try {
              shortName = opts.shortNamer.shortName(clientName);
            } catch (e) {
              return fail(`cannot map ${clientName} to a short name: ${(e as Error).message}`);
            }
            opts.acceptor.release(context!);
            context = null;
            stage = 'done';
            return { done: true, challenge: Buffer.alloc(0), principal: `User:${shortName}` };
          }
          case 'done':
            return fail('token after the exchange ended');
        }
      } catch (e) {
        if (e instanceof AuthenticationFailed) throw e;
        return fail((e as Error).message);
      }
    },
  };
}

/**
 * Opens the service keytab once at start, so a missing file or principal stops the gateway with
 * the config key named instead of failing every client later. Never logs the keytab's contents.
 */
export function gssapiExchanges(cfg: KerberosConfig): () => SaslExchange {
  let acceptor: GssAcceptor;
  try {
    acceptor = GssAcceptor.open(cfg.keytab, cfg.servicePrincipal);
  } catch (e) {
    if (e instanceof GssUnavailableError) throw e;
    throw new Error(
      `kerberos.keytab / kerberos.servicePrincipal: cannot accept as ${cfg.servicePrincipal} with keytab ${cfg.keytab}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const shortNamer = new KerberosShortNamer(
    cfg.defaultRealm ?? krb5DefaultRealm() ?? '',
    cfg.principalToLocalRules,
  );
  return () => gssapiExchange({ acceptor, shortNamer });
}
