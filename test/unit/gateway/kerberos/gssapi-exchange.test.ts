// The order of the SASL/GSSAPI server exchange and its failure handling, with a stand-in for MIT's
// acceptor (whose real behaviour the integration test drives with Java clients and kcat): what the
// gateway itself decides is which token is expected when, and that a failed or finished exchange
// frees its GSS-API context.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gssapiExchange, type GssapiServerOptions } from '../../../../gateway/sasl/gssapi.js';
import { AuthenticationFailed } from '../../../../gateway/sasl/mechanisms.js';
import type { AcceptStep, GssContext } from '../../../../security/kerberos/gss-acceptor.js';
import { KerberosShortNamer } from '../../../../security/kerberos/short-namer.js';

const CONTEXT = {} as GssContext;
// "Wrapping" here is a visible prefix, so the test can see what was wrapped and unwrapped.
const WRAP = Buffer.from('W:');

function standIn(step: Partial<AcceptStep> = {}) {
  const released: GssContext[] = [];
  const acceptor: GssapiServerOptions['acceptor'] = {
    accept: () =>
      Promise.resolve({
        context: CONTEXT,
        complete: true,
        output: Buffer.from('AP-REP'),
        clientName: 'alice/batch@KGW.TEST',
        ...step,
      }),
    wrap: (_ctx, m) => Buffer.concat([WRAP, m]),
    unwrap: (_ctx, t) => {
      if (!t.subarray(0, 2).equals(WRAP)) throw new Error('integrity check failed');
      return t.subarray(2);
    },
    release: (ctx) => void released.push(ctx),
  };
  const shortNamer = new KerberosShortNamer('KGW.TEST', ['RULE:[2:$1@$0](.*@KGW\\.TEST)s/@.*//L']);
  return { exchange: gssapiExchange({ acceptor, shortNamer }), released };
}

const selection = (layer: number, authzid = ''): Buffer =>
  Buffer.concat([WRAP, Buffer.from([layer, 0, 0, 0]), Buffer.from(authzid)]);

void describe('SASL/GSSAPI server exchange', () => {
  void it('AP-REP, then the wrapped offer, then User:<short name>; the context is freed', async () => {
    const { exchange, released } = standIn();
    assert.deepEqual(await exchange.step(Buffer.from('AP-REQ')), {
      done: false,
      challenge: Buffer.from('AP-REP'),
    });
    assert.deepEqual(await exchange.step(Buffer.alloc(0)), {
      done: false,
      challenge: Buffer.concat([WRAP, Buffer.from([1, 0, 0, 0])]),
    });
    // The authorization identity is ignored, as Kafka does.
    assert.deepEqual(await exchange.step(selection(1, 'admin')), {
      done: true,
      challenge: Buffer.alloc(0),
      principal: 'User:alice',
    });
    assert.deepEqual(released, [CONTEXT]);
  });

  void it('without an AP-REP (no mutual authentication) the offer comes at once', async () => {
    const { exchange } = standIn({ output: Buffer.alloc(0) });
    const first = await exchange.step(Buffer.from('AP-REQ'));
    assert.deepEqual(first, { done: false, challenge: Buffer.concat([WRAP, Buffer.from([1, 0, 0, 0])]) });
  });

  type Exchange = ReturnType<typeof standIn>['exchange'];
  const upToSelection = async (exchange: Exchange): Promise<void> => {
    await exchange.step(Buffer.from('AP-REQ'));
    await exchange.step(Buffer.alloc(0));
  };
  const failures: [string, Partial<AcceptStep>, (e: Exchange) => Promise<unknown>, RegExp][] = [
    [
      'a non-empty token where the empty one belongs',
      {},
      async (exchange) => {
        await exchange.step(Buffer.from('AP-REQ'));
        return exchange.step(Buffer.from('x'));
      },
      /expected an empty token/,
    ],
    [
      'a security layer that was not offered',
      {},
      async (exchange) => upToSelection(exchange).then(() => exchange.step(selection(4))),
      /security layer 0x4/,
    ],
    [
      'an answer that fails its integrity check',
      {},
      async (exchange) => upToSelection(exchange).then(() => exchange.step(Buffer.from([1, 0, 0, 0]))),
      /integrity check failed/,
    ],
    [
      'a principal no rule maps',
      { clientName: 'carol@KGW.TEST' },
      async (exchange) => upToSelection(exchange).then(() => exchange.step(selection(1))),
      /cannot map carol@KGW\.TEST/,
    ],
  ];
  for (const [what, step, run, reason] of failures) {
    void it(`fails on ${what}, with Kafka's message, and frees the context`, async () => {
      const s = standIn(step);
      await assert.rejects(run(s.exchange), (e: unknown) => {
        assert.ok(e instanceof AuthenticationFailed);
        assert.equal(
          e.clientMessage,
          'Authentication failed during authentication due to invalid credentials with SASL mechanism GSSAPI',
        );
        assert.match(e.reason, reason);
        return true;
      });
      assert.deepEqual(s.released, [CONTEXT]);
    });
  }

  void it('an anonymous client is refused; a failed accept and a token after the end fail too', async () => {
    const anon = standIn({ anonymous: true, clientName: 'WELLKNOWN/ANONYMOUS@WELLKNOWN:ANONYMOUS' });
    await assert.rejects(anon.exchange.step(Buffer.from('AP-REQ')), /anonymous/);
    assert.deepEqual(anon.released, [CONTEXT]);
    const s = standIn();
    await s.exchange.step(Buffer.from('AP-REQ'));
    await s.exchange.step(Buffer.alloc(0));
    await s.exchange.step(selection(1));
    await assert.rejects(s.exchange.step(Buffer.alloc(0)), /token after the exchange ended/);
    const broken = gssapiExchange({
      acceptor: {
        ...standIn().exchange,
        accept: () => Promise.reject(new Error('Invalid token was supplied')),
      } as never,
      shortNamer: new KerberosShortNamer('KGW.TEST'),
    });
    await assert.rejects(broken.step(Buffer.from('junk')), /Invalid token was supplied/);
  });
});
