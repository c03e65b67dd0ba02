/**
 * SASL: the listener must authenticate clients, and mechanisms that send a password or bearer token
 * as is (PLAIN, OAUTHBEARER) only over TLS. The mechanisms are the ones SaslHandshake lists when
 * asked for one that does not exist (discovery.ts).
 */
import { budgetOf } from '../budget.js';
import { fail, pass, warn, type Check } from '../types.js';

export const saslRequired: Check = {
  id: 'sasl.required',
  family: 'sasl',
  title: 'Clients must authenticate (SASL)',
  requires: [],
  timeoutMs: 1_000,
  budget: budgetOf(0, 0),
  run: async (ctx) =>
    ctx.profile.saslMechanisms.length > 0
      ? pass(`SaslHandshake offers ${ctx.profile.saslMechanisms.join(', ')}`)
      : fail(
          'the listener offers no SASL mechanism: every client is anonymous',
          'Require SASL on this listener (kgw gateway: listeners[].saslMechanisms, SCRAM by default; Kafka: a SASL_SSL listener with sasl.enabled.mechanisms).',
        ),
};

/** Mechanisms whose client message carries the secret itself. */
const SECRET_IN_CLEAR = ['PLAIN', 'OAUTHBEARER'];

export const saslMechanisms: Check = {
  id: 'sasl.mechanisms',
  family: 'sasl',
  title: 'PLAIN and OAUTHBEARER only over TLS; a SCRAM mechanism offered',
  requires: ['sasl'],
  timeoutMs: 1_000,
  budget: budgetOf(0, 0),
  async run(ctx) {
    const offered = ctx.profile.saslMechanisms;
    const exposed = offered.filter((m) => SECRET_IN_CLEAR.includes(m));
    const details = [`offered: ${offered.join(', ')}`, `transport: ${ctx.profile.tls ? 'TLS' : 'plaintext'}`];
    if (!ctx.profile.tls && exposed.length > 0)
      return fail(
        `${exposed.join(' and ')} offered without TLS: passwords or tokens cross the network in clear`,
        'Enable TLS on the listener, or offer only SCRAM mechanisms on plaintext listeners.',
        details,
      );
    if (!offered.some((m) => m.startsWith('SCRAM-')) && offered.includes('PLAIN'))
      return warn(
        'PLAIN is the only password mechanism: every login hands the password to the server',
        'Offer SCRAM-SHA-512 / SCRAM-SHA-256 (salted challenge-response) and move clients to it.',
        details,
      );
    return pass(
      ctx.profile.tls ? 'mechanisms offered over TLS' : 'only challenge-response mechanisms without TLS',
      details,
    );
  },
};
