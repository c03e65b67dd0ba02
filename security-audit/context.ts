/**
 * What a check works with: the endpoint's profile (found once at the start), what the low-privilege
 * user and the administrator can see, the administrator's fixtures, and connections charged to the
 * check's budget and closed when the check ends (whether it finished, failed or timed out).
 */
import { isIP, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiVersionsResponse } from '../protocol/generated/messages.js';
import { connectSocket, type TlsOptions } from '../client/socket.js';
import type { BudgetMeter } from './budget.js';
import { AuditConnection } from './connection.js';
import { openTcp, type Address } from './net.js';
import type { AuditOptions, Credentials, PasswordCredentials, SaslMechanismName } from './types.js';

export interface EndpointProfile {
  address: Address;
  /** The listener speaks TLS. */
  tls: boolean;
  /** The certificate verifies (chain and name) against the CA given (or the system's). */
  trusted: boolean;
  trustError?: string;
  /** Mechanisms SaslHandshake lists; empty when the listener has no SASL. */
  saslMechanisms: string[];
  apiVersions: ApiVersionsResponse['apiKeys'];
}

export interface TopicInfo {
  name: string;
  id: string;
  internal: boolean;
}

/** What one principal sees through Metadata. */
export interface PrincipalView {
  principal: string;
  topics: Map<string, TopicInfo>;
  brokers: { nodeId: number; host: string; port: number }[];
  clusterId: string | null;
}

export interface AclSpec {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** State the audit created with the administrator's credentials, removed at the end. */
export interface Fixtures {
  /** The endpoint enforces ACLs (CreateAcls is not answered SECURITY_DISABLED). */
  authorizer: boolean;
  /** A topic with one record and no ACL for the low-privilege user. */
  hiddenTopic?: TopicInfo;
  /** A consumer group with a committed offset and no ACL for the low-privilege user. */
  hiddenGroup?: string;
  /** Groups the low-privilege user was granted READ on (or may use: no authorizer). */
  userConsumerGroup?: string;
  userStreamsGroup?: string;
  /** A topic the user may READ, as the source of the streams topology. */
  userSourceTopic?: string;
  notes: string[];
  created: { topics: Set<string>; groups: Set<string>; acls: AclSpec[] };
}

export type Role = 'none' | 'user' | 'admin';

/** The audit's own set-up (a login, a fixture) failed: the check reports an error, never a pass or skip. */
export class AuditIncomplete extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'AuditIncomplete';
  }
}

export class SkipCheck extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkipCheck';
  }
}

const MECHANISM_PREFERENCE: SaslMechanismName[] = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'];

/** The mechanism a role logs in with: the one asked for, else the strongest offered. */
export function chooseMechanism(profile: EndpointProfile, c: Credentials): SaslMechanismName | undefined {
  if (c.mechanism) return profile.saslMechanisms.includes(c.mechanism) ? c.mechanism : undefined;
  return MECHANISM_PREFERENCE.find((m) => profile.saslMechanisms.includes(m));
}

export class CheckContext {
  private readonly open = new Set<{ close(): void }>();

  constructor(
    readonly opts: AuditOptions,
    readonly profile: EndpointProfile,
    readonly views: { user?: PrincipalView; admin?: PrincipalView },
    readonly fixtures: Fixtures | undefined,
    readonly meter: BudgetMeter,
    readonly signal: AbortSignal,
    private readonly tlsBase: TlsOptions | undefined,
    /** Time one request may wait for its answer. */
    readonly requestTimeoutMs = 5_000,
  ) {}

  get address(): Address {
    return this.profile.address;
  }

  /** The low-privilege user's login (undefined: the endpoint has no SASL, the user is anonymous). */
  credentials(role: 'user' | 'admin'): PasswordCredentials | undefined {
    if (this.profile.saslMechanisms.length === 0) return undefined;
    const c = role === 'user' ? this.opts.user : this.opts.admin;
    if (!c)
      throw new SkipCheck(`needs ${role === 'user' ? '--user/--password' : '--admin-user/--admin-password'}`);
    const mechanism = chooseMechanism(this.profile, c);
    if (!mechanism)
      throw new SkipCheck(
        `no SASL mechanism to log in as ${c.username}: the endpoint offers ${this.profile.saslMechanisms.join(', ')}`,
      );
    return { mechanism, username: c.username, password: c.password };
  }

  /** TLS options for a connection; `verified` false accepts any certificate (no secrets sent then). */
  tls(verified: boolean, address: Address = this.address): TlsOptions | undefined {
    if (!this.tlsBase) return undefined;
    // Another broker address is verified against its own name (SNI addressing gives each broker one).
    const base =
      address === this.address || (address.host === this.address.host && address.port === this.address.port)
        ? this.tlsBase
        : { ...this.tlsBase, serverName: isIP(address.host) ? undefined : address.host };
    return verified ? base : { ...base, rejectUnauthorized: false, checkServerIdentity: false };
  }

  /** A Kafka connection as `role` ('none': ApiVersions only, never authenticated). */
  async connect(role: Role, address: Address = this.address): Promise<AuditConnection> {
    this.refuseWhenEnded();
    const sasl = role === 'none' ? undefined : this.credentials(role);
    const sendsSecrets = sasl !== undefined;
    if (sendsSecrets && this.profile.tls && !this.profile.trusted && !this.opts.insecure)
      throw new SkipCheck(
        `the certificate does not verify (${this.profile.trustError}); credentials are not sent (--insecure overrides)`,
      );
    const conn = await AuditConnection.open({
      address,
      tls: this.tls(this.profile.trusted, address),
      sasl,
      requestTimeoutMs: this.requestTimeoutMs,
      connectTimeoutMs: this.requestTimeoutMs,
      meter: this.meter,
    });
    return this.keep(conn);
  }

  /** A raw TCP connection to the endpoint (no TLS, nothing sent). */
  async tcp(address: Address = this.address): Promise<Socket> {
    this.refuseWhenEnded();
    this.meter.chargeConnection();
    const socket = await openTcp(address, this.requestTimeoutMs);
    this.keep({ close: () => socket.destroy() });
    return socket;
  }

  /** A connection with the listener's transport (TLS when it speaks TLS; nothing sent above it). */
  async stream(address: Address = this.address): Promise<Socket> {
    this.refuseWhenEnded();
    this.meter.chargeConnection();
    const socket = await connectSocket(address, {
      tls: this.tls(this.profile.trusted, address),
      connectTimeoutMs: this.requestTimeoutMs,
    });
    this.keep({ close: () => socket.destroy() });
    return socket;
  }

  /** After the check ended (timeout), nothing new may be opened. */
  private refuseWhenEnded(): void {
    if (this.signal.aborted) throw new Error('the check has ended (timeout): no new connections');
  }

  /** Tracks a connection for closing; one that finished opening after the check ended is closed at once. */
  private keep<T extends { close(): void }>(c: T): T {
    if (this.signal.aborted) {
      c.close();
      throw new Error('the check has ended (timeout): connection closed');
    }
    this.open.add(c);
    return c;
  }

  /** Registers something the runner must close when the check ends. */
  track<T extends { close(): void }>(c: T): T {
    this.open.add(c);
    return c;
  }

  sleep(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.signal });
  }

  closeAll(): void {
    for (const c of this.open) c.close();
    this.open.clear();
  }
}
