/**
 * `kgw audit <bootstrap>`: the security self-test for any Kafka endpoint (docs/security.md).
 * Exit status: 0 when no check failed, 1 when one failed or could not complete, 2 when the audit
 * could not run at all (bad options, endpoint unreachable).
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import {
  CHECKS,
  auditBudget,
  exitCodeOf,
  renderCheck,
  renderReport,
  reportJson,
  runAudit,
  type AuditOptions,
  type Credentials,
} from '../security-audit/index.js';

const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** "15s", "500ms", "2m", or a number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`"${text}" is not a duration (e.g. 30s, 500ms, 2m)`);
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

const intIn =
  (min: number, max: number) =>
  (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer ${min}-${max}, got "${text}"`);
    return n;
  };

interface RawOptions {
  user?: string;
  password?: string;
  passwordFile?: string;
  saslMechanism?: (typeof MECHANISMS)[number];
  adminUser?: string;
  adminPassword?: string;
  adminPasswordFile?: string;
  caFile?: string;
  serverName?: string;
  insecure?: boolean;
  json?: boolean;
  verbose?: boolean;
  timeout: number;
  authDeadline: number;
  lockoutAttempts: number;
  maxConnectionsPerAddress?: number;
  group?: string;
  prefix: string;
  skip: string[];
  only: string[];
  list?: boolean;
}

/** A password from the option, a file (first line) or the environment, in that order. */
function password(what: string, direct: string | undefined, file: string | undefined, env: string): string {
  if (direct !== undefined) return direct;
  if (file !== undefined) return readFileSync(file, 'utf8').split('\n')[0]!;
  const fromEnv = process.env[env];
  if (fromEnv !== undefined) return fromEnv;
  throw new Error(
    `${what}: give --${what === 'user' ? '' : 'admin-'}password, --${what === 'user' ? '' : 'admin-'}password-file or ${env}`,
  );
}

export function auditOptions(bootstrap: string, o: RawOptions): AuditOptions {
  const creds = (username: string | undefined, pw: () => string): Credentials | undefined =>
    username === undefined ? undefined : { username, password: pw(), mechanism: o.saslMechanism };
  return {
    bootstrap,
    user: creds(o.user, () => password('user', o.password, o.passwordFile, 'KGW_AUDIT_PASSWORD')),
    admin: creds(o.adminUser, () =>
      password('admin', o.adminPassword, o.adminPasswordFile, 'KGW_AUDIT_ADMIN_PASSWORD'),
    ),
    caFile: o.caFile,
    serverName: o.serverName,
    insecure: o.insecure ?? false,
    timeoutMs: o.timeout,
    authDeadlineMs: o.authDeadline,
    lockoutAttempts: o.lockoutAttempts,
    maxConnectionsPerAddress: o.maxConnectionsPerAddress,
    group: o.group,
    resourcePrefix: o.prefix,
    skip: o.skip,
    only: o.only,
  };
}

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description(
      'security self-test of a Kafka endpoint (kgw gateway or broker listener); see docs/security.md',
    )
    .argument('[bootstrap]', 'host:port of the listener')
    .option('--user <name>', 'a low-privilege user')
    .option('--password <password>', "the user's password (or --password-file, or KGW_AUDIT_PASSWORD)")
    .option('--password-file <file>', "file whose first line is the user's password")
    .option(
      '--sasl-mechanism <mechanism>',
      `${MECHANISMS.join(', ')} (default: the strongest SCRAM offered)`,
      (m) => {
        if (!(MECHANISMS as readonly string[]).includes(m))
          throw new InvalidArgumentError(`one of ${MECHANISMS.join(', ')}`);
        return m;
      },
    )
    .option(
      '--admin-user <name>',
      'an administrator: lets the audit create (and afterwards remove) probe topics, groups and ACLs',
    )
    .option(
      '--admin-password <password>',
      "the administrator's password (or --admin-password-file, or KGW_AUDIT_ADMIN_PASSWORD)",
    )
    .option('--admin-password-file <file>', "file whose first line is the administrator's password")
    .option(
      '--ca-file <pem>',
      "CA bundle that should verify the endpoint's certificate (default: system CAs)",
    )
    .option('--server-name <name>', 'name to verify the certificate against (default: the bootstrap host)')
    .option('--insecure', 'send credentials even if the certificate does not verify')
    .option('--json', 'print the report as JSON')
    .option('-v, --verbose', 'show the details of passing checks too')
    .option('--timeout <duration>', 'deadline for the whole audit', parseDuration, 120_000)
    .option(
      '--auth-deadline <duration>',
      'longest acceptable time before an unauthenticated connection is closed',
      parseDuration,
      15_000,
    )
    .option(
      '--lockout-attempts <n>',
      'failed logins sent for a throwaway name by limits.lockout',
      intIn(1, 50),
      12,
    )
    .option(
      '--max-connections-per-address <n>',
      "the endpoint's per-address connection limit, to verify it",
      intIn(1, 1000),
    )
    .option(
      '--group <id>',
      'a consumer group the user may use (regex-subscription check without --admin-user)',
    )
    .option('--prefix <prefix>', 'prefix of everything the audit creates', 'kgw-audit-')
    .option('--skip <check...>', 'check ids or families to leave out', [])
    .option('--only <check...>', 'run only these check ids or families', [])
    .option('--list', 'list the checks and the traffic bound, then exit')
    .action(async (bootstrap: string | undefined, o: RawOptions) => {
      if (o.list) {
        for (const c of CHECKS) console.log(`${c.id.padEnd(30)} ${c.title}`);
        const b = auditBudget(
          auditOptions(bootstrap ?? 'localhost:9092', { ...o, user: undefined, adminUser: undefined }),
        );
        console.log(`\nat most ${b.connections} connections and ${b.requests} requests with these options`);
        return;
      }
      let opts: AuditOptions;
      try {
        if (!bootstrap) throw new Error('give the bootstrap address, e.g. kgw audit kafka.example.com:9093');
        opts = auditOptions(bootstrap, o);
      } catch (e) {
        console.error(`kgw audit: ${(e as Error).message}`);
        process.exitCode = 2;
        return;
      }
      const render = {
        colour: process.stdout.isTTY === true && !process.env.NO_COLOR,
        verbose: o.verbose ?? false,
      };
      let report;
      try {
        // Progress on a terminal only; the report itself goes to stdout at the end.
        const progress = process.stderr.isTTY && !o.json;
        report = await runAudit(
          opts,
          progress ? (r) => process.stderr.write(renderCheck(r, render).split('\n')[0] + '\n') : undefined,
        );
      } catch (e) {
        console.error(`kgw audit: ${(e as Error).message}`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(o.json ? reportJson(report) : '\n' + renderReport(report, render));
      process.exitCode = exitCodeOf(report);
    });
}
