/**
 * Server TLS options from PEM files, re-read when the files change so certificates rotate without
 * a restart. TLS 1.2 is the floor whatever the config says; without a cipher list only forward-secret
 * AEAD suites are offered (security/tls-ciphers.ts).
 */
import { readFileSync, watchFile, unwatchFile } from 'node:fs';
import type { SecureContextOptions, Server as TlsServer, TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import { DEFAULT_SERVER_CIPHERS } from '../../security/tls-ciphers.js';
import type { ListenerConfig } from '../config/schema.js';

type TlsConfig = NonNullable<ListenerConfig['tls']>;

export function tlsOptions(tls: TlsConfig): TlsOptions & SecureContextOptions {
  return {
    cert: readFileSync(tls.cert),
    key: readFileSync(tls.key),
    ca: tls.ca ? readFileSync(tls.ca) : undefined,
    minVersion: tls.minVersion,
    ciphers: tls.ciphers ?? DEFAULT_SERVER_CIPHERS,
    requestCert: tls.clientAuth !== 'none',
    rejectUnauthorized: tls.clientAuth === 'required',
    honorCipherOrder: true,
  };
}

/** Watches the PEM files and swaps the server's secure context when they change; returns a stop function. */
export function reloadOnChange(servers: () => TlsServer[], tls: TlsConfig, log: Logger): () => void {
  const files = [tls.cert, tls.key, ...(tls.ca ? [tls.ca] : [])];
  const reload = (): void => {
    try {
      const opts = tlsOptions(tls);
      for (const s of servers()) s.setSecureContext(opts);
      log.info({ files }, 'TLS certificates reloaded');
    } catch (e) {
      // A half-written file or a mismatched key: keep serving with the previous certificates.
      log.error({ err: (e as Error).message, files }, 'TLS reload failed; keeping the previous certificates');
    }
  };
  for (const f of files)
    watchFile(f, { interval: 1000 }, (cur, prev) => cur.mtimeMs !== prev.mtimeMs && reload());
  return () => files.forEach((f) => unwatchFile(f));
}
