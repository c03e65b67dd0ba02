/**
 * Bounded abuse limits. Lockout after failed logins must be keyed by principal (and address), so a
 * flood of failures for one name — from behind the same NAT or load balancer — cannot lock out
 * anyone else (issue #12, finding 8); failures should be slowed down. A per-address connection limit,
 * when the caller says which one is configured, must actually refuse the connection beyond it.
 */
import { randomBytes } from 'node:crypto';
import type { ScramMechanismName } from '../../security/scram/index.js';
import type { AuditConnection } from '../connection.js';
import { budgetOf } from '../budget.js';
import { fail, pass, skip, warn, type Check } from '../types.js';
import { tryLogin } from './enumeration.js';

export const limitsLockout: Check = {
  id: 'limits.lockout',
  family: 'limits',
  title: 'Failed logins for one name neither lock out another user nor go unthrottled',
  requires: ['sasl', 'user'],
  timeoutMs: 60_000,
  budget: (o) => budgetOf(o.lockoutAttempts + 1, o.lockoutAttempts * 3),
  last: true,
  async run(ctx) {
    const offered = ctx.profile.saslMechanisms;
    const mechanism = (['PLAIN', 'SCRAM-SHA-512', 'SCRAM-SHA-256'] as const).find((m) =>
      offered.includes(m),
    ) as ScramMechanismName | 'PLAIN' | undefined;
    if (!mechanism) return skip('no PLAIN or SCRAM mechanism offered');
    const victim = `kgw-audit-lockout-${randomBytes(6).toString('hex')}`;
    const n = ctx.opts.lockoutAttempts;
    // All at once: a server that delays each failure more than the last still answers within its longest delay.
    const failures = await Promise.all(
      Array.from({ length: n }, () =>
        tryLogin(ctx, mechanism, victim, `wrong-${randomBytes(6).toString('hex')}`),
      ),
    );
    const times = failures.map((f) => f.ms).sort((a, b) => a - b);
    const user = ctx.credentials('user')!;
    let login: string;
    let conn: AuditConnection | undefined;
    try {
      conn = await ctx.connect('user');
      login = 'succeeded';
    } catch (e) {
      login = `failed: ${(e as Error).message}`;
    } finally {
      conn?.close();
    }
    const details = [
      `${n} failed ${mechanism} logins as ${victim}, answered in ${times[0]!.toFixed(0)}–${times[times.length - 1]!.toFixed(0)} ms`,
      `then ${user.username} from the same address: ${login}`,
    ];
    if (login !== 'succeeded')
      return fail(
        `after ${n} failed logins for another name, ${user.username} could not log in from the same address: the lockout is keyed by address alone`,
        'Key failed-login delays and lockout by principal and address, so one attacker behind a shared address cannot lock everyone out (kgw gateway: limits.failedAuth; issue #12, finding 8).',
        details,
      );
    // Growing delays show as a spread between the first and last answer; none at all means no throttling.
    const throttled =
      times[times.length - 1]! > 4 * Math.max(50, times[0]!) && times[times.length - 1]! > 500;
    if (!throttled)
      return warn(
        `${n} failed logins in a row were all answered quickly: password guessing is not slowed down`,
        'Delay answers to failed logins, growing with each failure for the same principal and address, and lock out after a threshold (kgw gateway: limits.failedAuth; Kafka has no such protection).',
        details,
      );
    return pass(`failures were slowed down and ${user.username} could still log in`, details);
  },
};

export const limitsConnections: Check = {
  id: 'limits.connections',
  family: 'limits',
  title: 'The per-address connection limit is enforced',
  requires: [],
  timeoutMs: 60_000,
  budget: (o) => budgetOf((o.maxConnectionsPerAddress ?? 0) + 2, 0),
  async run(ctx) {
    const limit = ctx.opts.maxConnectionsPerAddress;
    if (limit === undefined)
      return skip(
        'give --max-connections-per-address <n> (the limit configured on the endpoint) to verify it',
      );
    const held: AuditConnection[] = [];
    let refusedAt: number | undefined;
    let reason = '';
    // In small batches, so the endpoint is never hit with more than ten handshakes at once.
    for (let next = 1; next <= limit + 1 && refusedAt === undefined; next += 10) {
      const batch = Array.from({ length: Math.min(10, limit + 2 - next) }, (_, i) => next + i);
      const opened = await Promise.all(
        batch.map(async (i) => {
          try {
            return { i, conn: await ctx.connect('none') };
          } catch (e) {
            return { i, error: (e as Error).message };
          }
        }),
      );
      for (const o of opened) {
        if (o.conn) held.push(o.conn);
        else if (refusedAt === undefined || o.i < refusedAt) {
          refusedAt = o.i;
          reason = o.error ?? '';
        }
      }
    }
    // Unauthenticated connections the endpoint closed itself (e.g. its auth deadline) did not count.
    const stillOpen = held.filter((c) => c.isOpen).length;
    for (const c of held) c.close();
    await ctx.sleep(1000);
    let afterwards: string;
    try {
      (await ctx.connect('none')).close();
      afterwards = 'a new connection is accepted once they are closed';
    } catch (e) {
      afterwards = `a new connection is still refused after closing them: ${(e as Error).message}`;
    }
    const details = [
      refusedAt === undefined
        ? `${limit + 1} connections accepted (${stillOpen} still open at the end)`
        : `connection ${refusedAt} refused (${reason})`,
      afterwards,
    ];
    if (refusedAt === undefined)
      return fail(
        `${limit + 1} connections from one address were accepted; the limit of ${limit} is not enforced`,
        'Limit connections per client address (kgw gateway: limits.maxConnectionsPerIp; Kafka: max.connections.per.ip).',
        details,
      );
    if (afterwards.startsWith('a new connection is still refused'))
      return fail(
        'connection slots were not released after the connections closed',
        'Release connection slots when connections close.',
        details,
      );
    return pass(`connection ${refusedAt} of ${limit + 1} was refused, and slots are released`, details);
  },
};
