/** The authenticated identity of a connection and its KIP-368 session deadline. */
export interface Identity {
  /** Kafka principal, e.g. "User:alice" or "User:ANONYMOUS". */
  principal: string;
  mechanism: string;
  /** ms since epoch after which the session must re-authenticate; undefined = never. */
  expiresAt: number | undefined;
}

export const ANONYMOUS = 'User:ANONYMOUS';
