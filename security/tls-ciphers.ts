/**
 * The TLS cipher policy the gateway serves by default and `kgw audit` recommends (OpenSSL names):
 * for TLS 1.2, ECDHE key exchange only (forward secrecy) with AEAD ciphers only, so static-RSA,
 * CBC and SHA-1 suites that Node's default list still accepts are never negotiated.
 */
export const ECDHE_AEAD_TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/**
 * TLS 1.3's suites (all AEAD with ephemeral keys). Node takes them from the same `ciphers` string, so
 * a list without them would switch TLS 1.3 off.
 */
export const TLS13_SUITES = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
].join(':');

/** `listeners[].tls.ciphers` when the configuration leaves it out. */
export const DEFAULT_SERVER_CIPHERS = `${TLS13_SUITES}:${ECDHE_AEAD_TLS12_CIPHERS}`;
