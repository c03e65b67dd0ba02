/**
 * The vocabulary of `kgw audit`: what a check is, what it reports, and the options the audit runs
 * with. A check is a small named probe with its own time limit and a declared upper bound on the
 * connections and requests it may use; the runner enforces both.
 */
import type { SaslCredentials } from '../client/sasl.js';
import type { CheckContext } from './context.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'error';

export const FAMILIES = ['tls', 'sasl', 'preauth', 'enumeration', 'bypass', 'leaks', 'limits'] as const;
export type Family = (typeof FAMILIES)[number];

/** What a check found. `remedy` says what to change when it did not pass. */
export interface CheckOutcome {
  status: Exclude<CheckStatus, 'error'>;
  summary: string;
  details?: string[];
  remedy?: string;
}

export interface CheckResult extends Omit<CheckOutcome, 'status'> {
  id: string;
  family: Family;
  title: string;
  /** The check's own answer, or 'error' when it could not complete (timeout, lost connection, budget). */
  status: CheckStatus;
  durationMs: number;
}

/** What a check needs from the endpoint or the caller; missing → the check is skipped, saying why. */
export type Requirement =
  | 'tls' // the endpoint speaks TLS
  | 'sasl' // the endpoint offers SASL
  | 'scram' // ... including a SCRAM mechanism
  | 'user' // a low-privilege user (credentials, or an endpoint without authentication)
  | 'admin'; // administrator credentials (fixtures are created and removed)

export interface Budget {
  connections: number;
  requests: number;
}

export interface Check {
  id: string;
  family: Family;
  title: string;
  requires: readonly Requirement[];
  /** Time the check may take (a number, or derived from the options); the global deadline may cut it shorter. */
  timeoutMs: number | ((opts: AuditOptions) => number);
  /** Upper bound on what the check may open and send; exceeding it is an error, never silent. */
  budget: Budget | ((opts: AuditOptions) => Budget);
  /**
   * Runs beside the others from the start (it mostly waits, e.g. for the server to close an idle
   * connection). Others run one at a time, in catalogue order.
   */
  background?: boolean;
  /**
   * Runs after everything else, the administrator's clean-up included: the check may leave the
   * auditing address unable to log in (a lockout keyed by address).
   */
  last?: boolean;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

/** The audit logs in with a name and password (OAUTHBEARER tokens are not audited yet). */
export type PasswordCredentials = Extract<SaslCredentials, { password: string }>;
export type SaslMechanismName = PasswordCredentials['mechanism'];

export interface Credentials {
  username: string;
  password: string;
  /** undefined: the strongest SCRAM mechanism the endpoint offers, else PLAIN. */
  mechanism?: SaslMechanismName;
}

export interface AuditOptions {
  /** host:port of the endpoint's bootstrap listener. */
  bootstrap: string;
  user?: Credentials;
  admin?: Credentials;
  /** PEM CA bundle that should verify the endpoint's certificate (default: the system CAs). */
  caFile?: string;
  /** Name to verify the certificate against and send as SNI (default: the bootstrap host). */
  serverName?: string;
  /** Send credentials even when the certificate does not verify. */
  insecure: boolean;
  /** Global deadline for the whole audit, in ms. */
  timeoutMs: number;
  /** Longest acceptable time for the endpoint to close a connection that never authenticates. */
  authDeadlineMs: number;
  /** Failed logins sent for a throwaway principal by the lockout check. */
  lockoutAttempts: number;
  /** The endpoint's per-address connection limit to verify (undefined: not verified). */
  maxConnectionsPerAddress?: number;
  /** A consumer group the low-privilege user may use (regex-subscription check without admin). */
  group?: string;
  /** Prefix of every topic, group and ACL the audit creates (with admin credentials). */
  resourcePrefix: string;
  /** Check ids (or families) to leave out / to run exclusively. */
  skip: string[];
  only: string[];
}

export const pass = (summary: string, details?: string[]): CheckOutcome => ({
  status: 'pass',
  summary,
  details,
});
export const skip = (summary: string): CheckOutcome => ({ status: 'skip', summary });
export const fail = (summary: string, remedy: string, details?: string[]): CheckOutcome => ({
  status: 'fail',
  summary,
  remedy,
  details,
});
export const warn = (summary: string, remedy: string, details?: string[]): CheckOutcome => ({
  status: 'warn',
  summary,
  remedy,
  details,
});
