/**
 * `kgw users add|list|remove`: SCRAM users through Kafka's admin API (KIP-554's
 * AlterUserScramCredentials / DescribeUserScramCredentials), against a kgw gateway — which keeps
 * them in its security topic — or any Kafka cluster. Like Kafka's admin client, only the salt and
 * salted password travel; the password itself never leaves this process. docs/cli.md#kgw-users.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { Command } from 'commander';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import {
  hi,
  SCRAM_MECHANISMS,
  secureRandomString,
  type ScramMechanismName,
} from '../../security/scram/index.js';
import { CommandFailed, UsageError } from '../support/errors.js';
import { openAdmin, type AdminSession } from '../support/kafka-admin.js';
import { kafkaError, kafkaErrorHint } from '../support/kafka-request.js';
import { readNewPassword, type SecretFlags } from '../support/secret-input.js';
import { addConnectionOptions, resolveSingleTarget, type ConnectionFlags } from '../support/targets.js';
import { createOutput } from '../render/output.js';
import { renderUsers, usersJson, type UserRow } from '../render/users.js';

/** Kafka's ScramMechanism codes on the wire. */
const CODE: Record<ScramMechanismName, number> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };
const NAME: Record<number, ScramMechanismName> = { 1: 'SCRAM-SHA-256', 2: 'SCRAM-SHA-512' };
const DEFAULT_ITERATIONS = 8192;

interface UserFlags extends ConnectionFlags, SecretFlags {
  mechanism?: string[];
  iterations: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerUsersCommand(program: Command): void {
  const users = program
    .command('users')
    .description('SCRAM users through the admin API (a kgw gateway or Kafka)');
  addConnectionOptions(
    users
      .command('add')
      .description(
        'create a user or change its password (SCRAM-SHA-256 and SCRAM-SHA-512 unless --mechanism)',
      )
      .argument('<user>', 'user name (the principal is User:<user>)')
      .option('--mechanism <mechanism>', 'SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable)', collect)
      .option('--iterations <n>', 'PBKDF2 iterations, 4096-16384', String(DEFAULT_ITERATIONS))
      .option('--password-file <file>', 'read the new password from this file')
      .option('--password-env <variable>', 'read the new password from this environment variable')
      .option('--password-stdin', 'read the new password from standard input')
      .option('--json', 'print the result as JSON'),
  ).action(async (user: string, flags: UserFlags) => addUser(user, flags));
  addConnectionOptions(
    users
      .command('list')
      .description('list users and their SCRAM mechanisms and iterations')
      .argument('[users...]', 'only these users')
      .option('--json', 'one JSON document instead of the table'),
  ).action(async (names: string[], flags: UserFlags) => listUsers(names, flags));
  addConnectionOptions(
    users
      .command('remove')
      .description("delete a user's SCRAM credentials (all its mechanisms unless --mechanism)")
      .argument('<user>')
      .option('--mechanism <mechanism>', 'only this mechanism (repeatable)', collect)
      .option('--json', 'print the result as JSON'),
  ).action(async (user: string, flags: UserFlags) => removeUser(user, flags));
}

function mechanisms(flags: UserFlags): ScramMechanismName[] | undefined {
  if (!flags.mechanism) return undefined;
  return flags.mechanism.map((m) => {
    const upper = m.toUpperCase();
    if (upper !== 'SCRAM-SHA-256' && upper !== 'SCRAM-SHA-512')
      throw new UsageError(`--mechanism ${m}: expected SCRAM-SHA-256 or SCRAM-SHA-512`);
    return upper;
  });
}

async function withAdmin<T>(flags: UserFlags, fn: (admin: AdminSession) => Promise<T>): Promise<T> {
  const admin = await openAdmin(resolveSingleTarget(flags));
  try {
    return await fn(admin);
  } finally {
    admin.close();
  }
}

async function addUser(user: string, flags: UserFlags): Promise<void> {
  const out = createOutput(flags);
  const chosen = mechanisms(flags) ?? (['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const);
  const iterations = Number(flags.iterations);
  for (const m of chosen) {
    const { minIterations, maxIterations } = SCRAM_MECHANISMS[m];
    if (!Number.isInteger(iterations) || iterations < minIterations || iterations > maxIterations)
      throw new UsageError(
        `--iterations must be ${minIterations}-${maxIterations} for ${m} (Java clients refuse fewer than ${minIterations}), got "${flags.iterations}"`,
      );
  }
  // Connection settings are checked before the operator is asked for a password.
  const target = resolveSingleTarget(flags);
  const password = await readNewPassword(flags, user);
  const upsertions = chosen.map((m) => {
    const salt = Buffer.from(secureRandomString(), 'utf8');
    return {
      name: user,
      mechanism: CODE[m],
      iterations,
      salt,
      saltedPassword: hi(SCRAM_MECHANISMS[m].hash, password, salt, iterations),
    };
  });
  const admin = await openAdmin(target);
  try {
    const c = admin.connection;
    const r = await c.request(
      ApiKey.AlterUserScramCredentials,
      c.version(ApiKey.AlterUserScramCredentials, 0, 0),
      {
        deletions: [],
        upsertions,
      },
    );
    failOnErrors(r.results, 'add');
  } finally {
    admin.close();
  }
  const rows: UserRow[] = chosen.map((m) => ({ user, mechanism: m, iterations }));
  if (out.json) out.printJson({ added: usersJson(rows) });
  else
    out.print(
      `Added SCRAM credentials for user ${user}: ${chosen.map((m) => `${m} (iterations=${iterations})`).join(', ')}`,
    );
}

async function describeUsers(admin: AdminSession, names: string[]): Promise<UserRow[]> {
  const c = admin.connection;
  const r = await c.request(
    ApiKey.DescribeUserScramCredentials,
    c.version(ApiKey.DescribeUserScramCredentials, 0, 0),
    { users: names.length === 0 ? null : names.map((name) => ({ name })) },
  );
  if (r.errorCode !== ErrorCode.NONE)
    throw new CommandFailed(
      `listing users failed: ${kafkaError(r.errorCode, r.errorMessage)}.${kafkaErrorHint(r.errorCode)}`,
    );
  const missing = r.results.filter((u) => u.errorCode !== ErrorCode.NONE);
  if (missing.length > 0)
    throw new CommandFailed(
      missing.map((u) => `${u.user}: ${kafkaError(u.errorCode, u.errorMessage)}`).join('\n'),
    );
  return r.results
    .flatMap((u) =>
      u.credentialInfos.map((i) => ({
        user: u.user,
        mechanism: NAME[i.mechanism] ?? `mechanism ${i.mechanism}`,
        iterations: i.iterations,
      })),
    )
    .sort((a, b) => a.user.localeCompare(b.user) || a.mechanism.localeCompare(b.mechanism));
}

async function listUsers(names: string[], flags: UserFlags): Promise<void> {
  const out = createOutput(flags);
  const rows = await withAdmin(flags, (admin) => describeUsers(admin, names));
  if (out.json) out.printJson({ users: usersJson(rows) });
  else out.print(renderUsers(rows, out.style));
}

async function removeUser(user: string, flags: UserFlags): Promise<void> {
  const out = createOutput(flags);
  const only = mechanisms(flags);
  const removed = await withAdmin(flags, async (admin) => {
    const existing = (await describeUsers(admin, [user])).map((r) => r.mechanism as ScramMechanismName);
    const doomed = only ?? existing;
    const absent = doomed.filter((m) => !existing.includes(m));
    if (absent.length > 0)
      throw new CommandFailed(
        `${user} has no ${absent.join(', ')} credential (it has ${existing.join(', ')})`,
      );
    const c = admin.connection;
    const r = await c.request(
      ApiKey.AlterUserScramCredentials,
      c.version(ApiKey.AlterUserScramCredentials, 0, 0),
      {
        deletions: doomed.map((m) => ({ name: user, mechanism: CODE[m] })),
        upsertions: [],
      },
    );
    failOnErrors(r.results, 'remove');
    return doomed;
  });
  if (out.json) out.printJson({ removed: removed.map((m) => ({ user, mechanism: m })) });
  else out.print(`Removed SCRAM credentials for user ${user}: ${removed.join(', ')}`);
}

function failOnErrors(
  results: { user: string; errorCode: number; errorMessage: string | null }[],
  what: string,
): void {
  const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE);
  if (failed.length > 0)
    throw new CommandFailed(
      failed
        .map(
          (r) =>
            `could not ${what} ${r.user}: ${kafkaError(r.errorCode, r.errorMessage)}.${kafkaErrorHint(r.errorCode)}`,
        )
        .join('\n'),
    );
}
