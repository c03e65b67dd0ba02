// RFC 4752 §3.1 messages of the final SASL/GSSAPI step (the parts the gateway builds and checks
// itself; the GSS wrap/unwrap around them is MIT's and is exercised by the integration test).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseClientLayerSelection,
  SecurityLayerError,
  serverLayerOffer,
} from '../../../../security/kerberos/sasl-security-layer.js';

void describe('SASL/GSSAPI security-layer negotiation', () => {
  void it('the server offers only "no security layer", maximum size 0', () => {
    assert.deepEqual([...serverLayerOffer()], [0x01, 0, 0, 0]);
  });

  void it('accepts "no security layer", with or without an authorization identity', () => {
    assert.deepEqual(parseClientLayerSelection(Buffer.from([1, 0, 0, 0])), {
      layer: 1,
      maxMessageSize: 0,
      authorizationId: '',
    });
    assert.deepEqual(parseClientLayerSelection(Buffer.from([1, 0x01, 0x00, 0x00, ...Buffer.from('alice')])), {
      layer: 1,
      maxMessageSize: 65536,
      authorizationId: 'alice',
    });
  });

  void it('refuses a layer that was not offered, several layers at once, and short answers', () => {
    for (const layer of [0, 2, 4, 3, 7, 0x81])
      assert.throws(() => parseClientLayerSelection(Buffer.from([layer, 0, 0, 0])), SecurityLayerError);
    for (const n of [0, 1, 3])
      assert.throws(() => parseClientLayerSelection(Buffer.alloc(n, 1)), SecurityLayerError);
  });
});
