/**
 * Running one check: skipped when a requirement is not met (saying which), an error when the
 * audit's own set-up failed or the global deadline passed, otherwise run with its own timeout and
 * budget; whatever happens, its connections are closed when it ends.
 */
import { BudgetExceeded, BudgetMeter } from './budget.js';
import {
  AuditIncomplete,
  SkipCheck,
  type CheckContext,
  type EndpointProfile,
  type PrincipalView,
} from './context.js';
import type { AuditOptions, Check, CheckResult, CheckStatus, Requirement } from './types.js';

export const resolveOption = <T>(v: T | ((o: AuditOptions) => T), o: AuditOptions): T =>
  typeof v === 'function' ? (v as (o: AuditOptions) => T)(o) : v;

export interface CheckEnvironment {
  opts: AuditOptions;
  profile: EndpointProfile;
  views: { user?: PrincipalView; admin?: PrincipalView };
  /** Epoch ms of the global deadline. */
  deadline: number;
  /** A context whose connections are charged to `meter` and stop at `signal`. */
  contextFor(meter: BudgetMeter, signal: AbortSignal): CheckContext;
}

/** Why a requirement is not met, or undefined when it is. */
export function unmet(r: Requirement, profile: EndpointProfile, opts: AuditOptions): string | undefined {
  const sasl = profile.saslMechanisms.length > 0;
  switch (r) {
    case 'tls':
      return profile.tls ? undefined : 'the listener does not speak TLS';
    case 'sasl':
      return sasl ? undefined : 'the listener offers no SASL';
    case 'scram':
      return profile.saslMechanisms.some((m) => m.startsWith('SCRAM-'))
        ? undefined
        : 'no SCRAM mechanism offered';
    case 'user':
      return !sasl || opts.user ? undefined : 'needs a low-privilege user (--user, --password)';
    case 'admin':
      return sasl && opts.admin
        ? undefined
        : 'needs administrator credentials (--admin-user, --admin-password)';
  }
}

export async function runCheck(
  check: Check,
  env: CheckEnvironment,
): Promise<{ result: CheckResult; meter?: BudgetMeter }> {
  const t0 = Date.now();
  const result = (status: CheckStatus, summary: string): CheckResult => ({
    id: check.id,
    family: check.family,
    title: check.title,
    status,
    summary,
    durationMs: Date.now() - t0,
  });
  const why = check.requires.map((q) => unmet(q, env.profile, env.opts)).find((x) => x !== undefined);
  if (why) return { result: result('skip', why) };
  // Credentials were given but did not work: the check could not run, which must not look like a pass or skip.
  const broken = check.requires
    .filter((q): q is 'user' | 'admin' => q === 'user' || q === 'admin')
    .find((q) => !env.views[q]);
  if (broken)
    return {
      result: result(
        'error',
        `the ${broken === 'user' ? 'low-privilege user' : 'administrator'} could not log in (see notes)`,
      ),
    };
  const remaining = env.deadline - Date.now();
  if (remaining <= 0)
    return { result: result('error', 'the global deadline (--timeout) passed before this check could run') };

  const timeoutMs = Math.min(resolveOption(check.timeoutMs, env.opts), remaining);
  const abort = new AbortController();
  const meter = new BudgetMeter(check.id, resolveOption(check.budget, env.opts));
  const ctx = env.contextFor(meter, abort.signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), timeoutMs)));
  try {
    const outcome = await Promise.race([check.run(ctx), timedOut]);
    if (outcome === 'timeout')
      return {
        result: result(
          'error',
          `no result within ${(timeoutMs / 1000).toFixed(0)} s (its connections were closed)`,
        ),
        meter,
      };
    return {
      result: {
        ...outcome,
        id: check.id,
        family: check.family,
        title: check.title,
        durationMs: Date.now() - t0,
      },
      meter,
    };
  } catch (e) {
    if (e instanceof SkipCheck) return { result: result('skip', e.message), meter };
    if (e instanceof AuditIncomplete)
      return { result: result('error', `could not run: ${e.message}`), meter };
    if (e instanceof BudgetExceeded) return { result: result('error', e.message), meter };
    return { result: result('error', `could not complete: ${(e as Error).message}`), meter };
  } finally {
    clearTimeout(timer);
    // A check still running after its timeout can open nothing more (CheckContext refuses once aborted).
    abort.abort();
    ctx.closeAll();
  }
}
