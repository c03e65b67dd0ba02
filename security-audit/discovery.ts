/**
 * What the audit learns before any check runs: whether the listener speaks TLS and whether its
 * certificate verifies, which API versions and SASL mechanisms it offers, and what each principal
 * sees through Metadata. The low-privilege user's permissions are discovered here and by the checks,
 * never assumed.
 */
import { ErrorCode } from '../protocol/errors.js';
import { readFileSync } from 'node:fs';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { TlsOptions } from '../client/socket.js';
import type { BudgetMeter } from './budget.js';
import { AuditConnection } from './connection.js';
import type { EndpointProfile, PrincipalView, TopicInfo } from './context.js';
import { formatAddress, type Address } from './net.js';
import type { AuditOptions } from './types.js';

/** The TLS options every Kafka connection of the audit starts from. */
export function baseTlsOptions(opts: AuditOptions, address: Address): TlsOptions {
  return {
    ca: opts.caFile ? readFileSync(opts.caFile) : undefined,
    serverName: opts.serverName ?? (isIP(address.host) ? undefined : address.host),
    rejectUnauthorized: true,
    checkServerIdentity: true,
  };
}

interface TlsProbe {
  ok: boolean;
  authorized: boolean;
  authorizationError?: string;
  certificate?: PeerCertificate;
  protocol?: string;
  error?: string;
}

/**
 * One TLS handshake that accepts any certificate and reports whether it would have verified (chain
 * against the CA, then the name), so an untrusted endpoint is still recognised as TLS.
 */
export function probeTls(address: Address, tls: TlsOptions, timeoutMs: number): Promise<TlsProbe> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: address.host,
      port: address.port,
      servername: tls.serverName,
      ca: tls.ca,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    });
    const timer = setTimeout(
      () => finish({ ok: false, authorized: false, error: `no TLS handshake within ${timeoutMs} ms` }),
      timeoutMs,
    );
    const finish = (r: TlsProbe): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate(true);
      // Chain first (node:tls checked it against the CA), then the name, each with its own message.
      const chainError =
        socket.authorized || String(socket.authorizationError).includes('ERR_TLS_CERT_ALTNAME_INVALID')
          ? undefined
          : String(socket.authorizationError);
      const nameError = checkServerIdentity(tls.serverName ?? address.host, certificate)?.message;
      const authorizationError = chainError ?? nameError;
      finish({
        ok: true,
        authorized: authorizationError === undefined,
        authorizationError,
        certificate,
        protocol: socket.getProtocol() ?? undefined,
      });
    });
    socket.once('error', (e) => finish({ ok: false, authorized: false, error: e.message }));
  });
}

export async function profileEndpoint(
  opts: AuditOptions,
  address: Address,
  meter: BudgetMeter,
  timeoutMs: number,
): Promise<{ profile: EndpointProfile; tlsBase: TlsOptions | undefined }> {
  const tlsBase = baseTlsOptions(opts, address);
  meter.chargeConnection();
  const tls = await probeTls(address, tlsBase, timeoutMs);
  const transport = tls.ok ? tlsBase : undefined;
  let conn: AuditConnection;
  try {
    conn = await AuditConnection.open({
      address,
      tls: transport ? { ...transport, rejectUnauthorized: false, checkServerIdentity: false } : undefined,
      sasl: undefined,
      requestTimeoutMs: timeoutMs,
      connectTimeoutMs: timeoutMs,
      meter,
    });
  } catch (e) {
    const how = tls.ok ? 'over TLS' : `over TLS (${tls.error}) nor in plaintext`;
    throw new Error(
      `${formatAddress(address)} does not answer Kafka's ApiVersions ${how}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  try {
    // An unknown mechanism makes a SASL listener list the ones it offers (UNSUPPORTED_SASL_MECHANISM);
    // a listener without SASL answers ILLEGAL_SASL_STATE (Kafka) or hangs up.
    const handshake = await conn.attempt(ApiKey.SaslHandshake, 1, { mechanism: 'KGW-AUDIT-PROBE' });
    const saslMechanisms =
      handshake.answered && handshake.body.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM
        ? handshake.body.mechanisms
        : [];
    return {
      profile: {
        address,
        tls: tls.ok,
        trusted: tls.ok && tls.authorized,
        trustError: tls.authorizationError,
        saslMechanisms,
        apiVersions: conn.inner.apiVersions.apiKeys,
      },
      tlsBase: transport,
    };
  } finally {
    conn.close();
  }
}

/** Metadata for every topic the connection's principal may describe. */
export async function viewThrough(conn: AuditConnection, principal: string): Promise<PrincipalView> {
  const v = conn.version(ApiKey.Metadata, 1, 12);
  const m = await conn.request(ApiKey.Metadata, v, {
    topics: null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  const topics = new Map<string, TopicInfo>();
  for (const t of m.topics) {
    if (t.name !== null && t.errorCode === ErrorCode.NONE)
      topics.set(t.name, { name: t.name, id: t.topicId, internal: t.isInternal });
  }
  return {
    principal,
    topics,
    brokers: m.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
    clusterId: m.clusterId,
  };
}

/**
 * Error codes Metadata gives for these names, asked by name (no auto-creation). A topic the
 * principal may not describe answers TOPIC_AUTHORIZATION_FAILED whether or not it exists.
 */
export async function describeByName(conn: AuditConnection, names: string[]): Promise<Map<string, number>> {
  const v = conn.version(ApiKey.Metadata, 4, 12);
  const m = await conn.request(ApiKey.Metadata, v, {
    topics: names.map((name) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name })),
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  return new Map(m.topics.map((t) => [t.name ?? '', t.errorCode]));
}
