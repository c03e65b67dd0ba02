// RFC 4752 §3.1: after the GSS-API context is established, the server sends a wrapped 4-octet
// message (bit-mask of security layers it supports, then the largest message it can receive) and the
// client answers with a wrapped message (the one layer it chose, its own maximum, then an optional
// authorization identity). Kafka runs SASL/GSSAPI for authentication only (Java's GssKrb5Server with
// the default javax.security.sasl.qop=auth), so the gateway offers "no security layer" alone.

export const LAYER_NONE = 1;
export const LAYER_INTEGRITY = 2;
export const LAYER_CONFIDENTIALITY = 4;

export class SecurityLayerError extends Error {
  override readonly name = 'SecurityLayerError';
}

/**
 * The server's offer: only "no security layer", maximum size 0 (no protected messages will follow,
 * so the server receives none).
 */
export function serverLayerOffer(): Buffer {
  return Buffer.from([LAYER_NONE, 0, 0, 0]);
}

export interface ClientLayerSelection {
  /** Always LAYER_NONE once validated. */
  layer: number;
  maxMessageSize: number;
  /** Empty when the client sent none. Kafka ignores it (the principal is the authenticated name). */
  authorizationId: string;
}

/** The client's unwrapped answer to serverLayerOffer(); throws SecurityLayerError if it is not acceptable. */
export function parseClientLayerSelection(message: Buffer): ClientLayerSelection {
  if (message.length < 4)
    throw new SecurityLayerError(`security layer answer is ${message.length} octets, expected at least 4`);
  const layer = message[0] as number;
  // RFC 4752: exactly one bit, and one the server offered.
  if (layer !== LAYER_NONE)
    throw new SecurityLayerError(
      `client selected security layer 0x${layer.toString(16)}, only 0x01 was offered`,
    );
  const authorizationId = message.subarray(4).toString('utf8');
  return { layer, maxMessageSize: message.readUIntBE(1, 3), authorizationId };
}
