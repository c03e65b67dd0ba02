/**
 * Runs the audit: profile the endpoint, see what each principal sees, set up the administrator's
 * fixtures, run the checks (background ones alongside), and always remove the fixtures. Bounded in
 * time (a global deadline; each check its own timeout, after which its connections are closed) and
 * in traffic (each check, the set-up and the clean-up have a connection and request budget; the
 * sum is the documented maximum, `auditBudget`).
 */
import { randomBytes } from 'node:crypto';
import { BudgetMeter, budgetOf, sumBudgets } from './budget.js';
import { CHECKS } from './checks/index.js';
import { CheckContext, SkipCheck, chooseMechanism, type Fixtures, type PrincipalView } from './context.js';
import { profileEndpoint, viewThrough } from './discovery.js';
import { emptyFixtures, setUpFixtures, tearDownFixtures } from './fixtures.js';
import { formatAddress, parseAddress } from './net.js';
import { resolveOption, runCheck, type CheckEnvironment } from './run-check.js';
import type { AuditOptions, Budget, Check, CheckResult, CheckStatus } from './types.js';

/** Profile (2 connections), two views, fixtures (admin, a leader, a coordinator and retries). */
export const SETUP_BUDGET: Budget = budgetOf(8, 60);
/** Deleting ACLs, groups (at their coordinators) and topics. */
export const CLEANUP_BUDGET: Budget = budgetOf(5, 30);
const CLEANUP_TIMEOUT_MS = 30_000;

export interface AuditReport {
  target: string;
  startedAt: string;
  durationMs: number;
  endpoint: { tls: boolean; certificateVerifies: boolean; saslMechanisms: string[] };
  principals: { user?: string; admin?: string };
  /** What the audit learned or did besides the checks (fixtures, clean-up problems). */
  notes: string[];
  budget: { max: Budget; used: Budget };
  checks: CheckResult[];
  summary: Record<CheckStatus, number>;
}

/** The most connections and requests an audit with these options can make. */
export function auditBudget(opts: AuditOptions, checks: readonly Check[] = CHECKS): Budget {
  return sumBudgets([SETUP_BUDGET, CLEANUP_BUDGET, ...checks.map((c) => resolveOption(c.budget, opts))]);
}

export function selectChecks(opts: Pick<AuditOptions, 'skip' | 'only'>): Check[] {
  const matches = (c: Check, sel: string): boolean => c.id === sel || c.family === sel;
  for (const sel of [...opts.skip, ...opts.only])
    if (!CHECKS.some((c) => matches(c, sel)))
      throw new Error(`unknown check or family "${sel}" (see kgw audit --list)`);
  return CHECKS.filter(
    (c) =>
      (opts.only.length === 0 || opts.only.some((s) => matches(c, s))) &&
      !opts.skip.some((s) => matches(c, s)),
  );
}

export async function runAudit(
  opts: AuditOptions,
  onResult?: (r: CheckResult) => void,
): Promise<AuditReport> {
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  const checks = selectChecks(opts);
  const address = parseAddress(opts.bootstrap);
  const global = new AbortController();
  const globalTimer = setTimeout(() => global.abort(), opts.timeoutMs);
  const setupMeter = new BudgetMeter('set-up', SETUP_BUDGET);
  const meters: BudgetMeter[] = [setupMeter];
  const notes: string[] = [];
  const { profile, tlsBase } = await profileEndpoint(
    opts,
    address,
    setupMeter,
    Math.min(10_000, opts.timeoutMs),
  );
  const contextFor = (
    meter: BudgetMeter,
    signal: AbortSignal,
    views: CheckContext['views'],
    fixtures?: Fixtures,
  ): CheckContext => new CheckContext(opts, profile, views, fixtures, meter, signal, tlsBase);
  const setup = contextFor(setupMeter, global.signal, {});
  const views: { user?: PrincipalView; admin?: PrincipalView } = {};
  const principals: AuditReport['principals'] = {};
  const sasl = profile.saslMechanisms.length > 0;
  if (!sasl && (opts.user || opts.admin))
    notes.push('credentials were not used: the listener offers no SASL, every client is anonymous');
  for (const role of ['user', 'admin'] as const) {
    const creds = role === 'user' ? opts.user : opts.admin;
    if (role === 'admin' && (!sasl || !creds)) continue;
    if (role === 'user' && sasl && !creds) continue;
    const principal =
      creds && sasl
        ? `User:${creds.username} (${chooseMechanism(profile, creds) ?? 'no usable mechanism'})`
        : 'anonymous (no SASL)';
    principals[role] = principal;
    try {
      const conn = await setup.connect(role);
      views[role] = await viewThrough(conn, principal);
      conn.close();
      notes.push(
        `${principal} sees ${views[role].topics.size} topic(s) and ${views[role].brokers.length} broker(s)`,
      );
    } catch (e) {
      notes.push(
        `${role} ${principal}: ${e instanceof SkipCheck ? e.message : `cannot log in: ${(e as Error).message}`}`,
      );
    }
  }
  let fixtures: Fixtures | undefined;
  const needFixtures = views.admin && views.user && checks.some((c) => c.requires.includes('admin'));
  if (needFixtures) {
    fixtures = emptyFixtures();
    try {
      await setUpFixtures(setup, `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`, fixtures);
    } catch (e) {
      fixtures.notes.push(`could not complete the administrator's fixtures: ${(e as Error).message}`);
    }
    notes.push(...fixtures.notes);
  }
  setup.closeAll();

  /** Always runs, with its own budget and time limit (past the global deadline if need be). */
  const removeFixtures = async (f: Fixtures): Promise<string> => {
    const meter = new BudgetMeter('clean-up', CLEANUP_BUDGET);
    meters.push(meter);
    const abort = new AbortController();
    const ctx = contextFor(meter, abort.signal, views);
    let timer: NodeJS.Timeout | undefined;
    const problems = await Promise.race([
      tearDownFixtures(ctx, f).catch((e: Error) => [`clean-up failed: ${e.message}`]),
      new Promise<string[]>(
        (res) =>
          (timer = setTimeout(
            () => res([`clean-up did not finish within ${CLEANUP_TIMEOUT_MS / 1000} s`]),
            CLEANUP_TIMEOUT_MS,
          )),
      ),
    ]);
    clearTimeout(timer);
    abort.abort();
    ctx.closeAll();
    return problems.length === 0
      ? `removed everything the audit created (${f.created.topics.size} topics, ${f.created.groups.size} groups, ${f.created.acls.length} ACLs)`
      : `clean-up incomplete: ${problems.join('; ')}; remove what starts with ${opts.resourcePrefix} by hand`;
  };

  const results: CheckResult[] = [];
  const env: CheckEnvironment = {
    opts,
    profile,
    views,
    deadline,
    contextFor: (meter, signal) => contextFor(meter, signal, views, fixtures),
  };
  const run = async (check: Check): Promise<void> => {
    const { result, meter } = await runCheck(check, env);
    if (meter) meters.push(meter);
    results.push(result);
    onResult?.(result);
  };

  try {
    const background = Promise.all(checks.filter((c) => c.background).map(run));
    for (const c of checks.filter((c) => !c.background && !c.last)) await run(c);
    await background;
  } finally {
    if (fixtures) notes.push(await removeFixtures(fixtures));
  }
  for (const c of checks.filter((c) => c.last && !c.background)) await run(c);
  clearTimeout(globalTimer);
  const order = new Map(checks.map((c, i) => [c.id, i]));
  results.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const summary: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
  for (const r of results) summary[r.status]++;
  return {
    target: formatAddress(address),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    endpoint: {
      tls: profile.tls,
      certificateVerifies: profile.trusted,
      saslMechanisms: profile.saslMechanisms,
    },
    principals,
    notes,
    budget: {
      max: auditBudget(opts, checks),
      used: sumBudgets(meters.map((m) => ({ connections: m.connections, requests: m.requests }))),
    },
    checks: results,
    summary,
  };
}

/** 0 when nothing failed or errored, else 1. */
export const exitCodeOf = (r: AuditReport): number => (r.summary.fail + r.summary.error > 0 ? 1 : 0);
