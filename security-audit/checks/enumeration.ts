/**
 * User enumeration: a stranger must not learn which user names exist. An unknown user and a known
 * user with a wrong password must fail at the same step with the same error (Kafka's own message,
 * "Authentication failed during authentication due to invalid credentials with SASL mechanism …"),
 * an unknown SCRAM user must get a plausible, stable challenge (salt and iterations) instead of an
 * immediate refusal, and the answers must not differ grossly in time.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { budgetOf } from '../budget.js';
import { randomBytes } from 'node:crypto';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { ScramClient, parseServerFirst, type ScramMechanismName } from '../../security/scram/index.js';
import type { CheckContext } from '../context.js';
import { fail, pass, skip, type Check } from '../types.js';

const unknownUser = (): string => `kgw-audit-nobody-${randomBytes(6).toString('hex')}`;

const firstScram = (offered: string[]): ScramMechanismName | undefined =>
  (['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const).find((m) => offered.includes(m));

export type FirstStep =
  | { kind: 'challenge'; salt: string; iterations: number; ms: number }
  | { kind: 'refused'; code: number; message: string | null; ms: number }
  | { kind: 'closed'; ms: number };

/** SaslHandshake + the SCRAM client-first message; the exchange is abandoned there (no failure counted). */
async function scramFirstStep(
  ctx: CheckContext,
  mechanism: ScramMechanismName,
  username: string,
): Promise<FirstStep> {
  const conn = await ctx.connect('none');
  try {
    await conn.request(ApiKey.SaslHandshake, 1, { mechanism });
    const client = new ScramClient({ mechanism, username, password: 'x' });
    const started = performance.now();
    const r = await conn.attempt(ApiKey.SaslAuthenticate, 2, { authBytes: client.first() });
    const ms = performance.now() - started;
    if (!r.answered) return { kind: 'closed', ms };
    if (r.body.errorCode !== ErrorCode.NONE)
      return { kind: 'refused', code: r.body.errorCode, message: r.body.errorMessage, ms };
    const sf = parseServerFirst(r.body.authBytes);
    return { kind: 'challenge', salt: sf.salt.toString('base64'), iterations: sf.iterations, ms };
  } finally {
    conn.close();
  }
}

export interface LoginFailure {
  /** 1-based SaslAuthenticate round at which the login failed; 0 when it succeeded. */
  step: number;
  code: number;
  message: string;
  closedAfter: boolean;
  ms: number;
}

/** A complete login with the given password; what failed, where, and whether the server hung up. */
export async function tryLogin(
  ctx: CheckContext,
  mechanism: ScramMechanismName | 'PLAIN',
  username: string,
  password: string,
): Promise<LoginFailure> {
  const conn = await ctx.connect('none');
  const started = performance.now();
  const result = (step: number, code: number, message: string | null): LoginFailure => ({
    step,
    code,
    message: (message ?? '').split(username).join('<user>'),
    closedAfter: false,
    ms: performance.now() - started,
  });
  try {
    const hs = await conn.request(ApiKey.SaslHandshake, 1, { mechanism });
    if (hs.errorCode !== ErrorCode.NONE) return result(0, hs.errorCode, 'handshake refused');
    let outcome: LoginFailure;
    if (mechanism === 'PLAIN') {
      const r = await conn.attempt(ApiKey.SaslAuthenticate, 2, {
        authBytes: Buffer.from(`\0${username}\0${password}`),
      });
      outcome = r.answered
        ? result(r.body.errorCode ? 1 : 0, r.body.errorCode, r.body.errorMessage)
        : result(1, -1, 'closed');
    } else {
      const client = new ScramClient({ mechanism, username, password });
      const first = await conn.attempt(ApiKey.SaslAuthenticate, 2, { authBytes: client.first() });
      if (!first.answered) outcome = result(1, -1, 'closed');
      else if (first.body.errorCode !== ErrorCode.NONE)
        outcome = result(1, first.body.errorCode, first.body.errorMessage);
      else {
        const last = await conn.attempt(ApiKey.SaslAuthenticate, 2, {
          authBytes: client.final(first.body.authBytes),
        });
        outcome = last.answered
          ? result(last.body.errorCode ? 2 : 0, last.body.errorCode, last.body.errorMessage)
          : result(2, -1, 'closed');
      }
    }
    // Kafka closes a connection after a failed authentication; give it a moment to do so.
    for (let i = 0; i < 10 && conn.isOpen && outcome.step > 0; i++) await ctx.sleep(100);
    outcome.closedAfter = !conn.isOpen;
    return outcome;
  } finally {
    conn.close();
  }
}

const describeFailure = (f: LoginFailure): string =>
  f.step === 0
    ? 'login succeeded'
    : `failed at round ${f.step}, error ${f.code} "${f.message}", ${f.closedAfter ? 'then closed' : 'connection left open'}`;

export const enumerationErrors: Check = {
  id: 'enumeration.errors',
  family: 'enumeration',
  title: 'Unknown user and wrong password fail identically',
  requires: ['sasl', 'user'],
  timeoutMs: 40_000,
  budget: budgetOf(4, 4 * 3),
  async run(ctx) {
    const user = ctx.credentials('user')!;
    const mechanisms = [
      firstScram(ctx.profile.saslMechanisms),
      ctx.profile.saslMechanisms.includes('PLAIN') ? 'PLAIN' : undefined,
    ].filter((m): m is ScramMechanismName | 'PLAIN' => m !== undefined);
    if (mechanisms.length === 0) return skip('no SCRAM or PLAIN mechanism offered');
    const details: string[] = [];
    const differences: string[] = [];
    for (const m of mechanisms) {
      const nobody = await tryLogin(ctx, m, unknownUser(), `wrong-${randomBytes(4).toString('hex')}`);
      // A random password (never derived from the real one: PLAIN would hand it to the server).
      const wrong = await tryLogin(ctx, m, user.username, `wrong-${randomBytes(8).toString('hex')}`);
      details.push(
        `${m} unknown user: ${describeFailure(nobody)}`,
        `${m} wrong password: ${describeFailure(wrong)}`,
      );
      if (wrong.step === 0)
        return fail(
          `${m}: a wrong password was accepted for ${user.username}`,
          'Fix the authentication of this listener.',
          details,
        );
      for (const key of ['step', 'code', 'message', 'closedAfter'] as const)
        if (nobody[key] !== wrong[key])
          differences.push(`${m}: ${key} differs (${String(nobody[key])} vs ${String(wrong[key])})`);
    }
    if (differences.length > 0)
      return fail(
        `an unknown user fails differently from a wrong password: ${differences.join('; ')}`,
        'Answer unknown users exactly like wrong passwords: the same error and message at the same step (SCRAM: a fake challenge, then failure at the final step).',
        details,
      );
    return pass(`same step, error, message and close for ${mechanisms.join(' and ')}`, details);
  },
};

export const enumerationScramChallenge: Check = {
  id: 'enumeration.scram-challenge',
  family: 'enumeration',
  title: 'Unknown SCRAM users get a plausible, stable challenge',
  requires: ['scram', 'user'],
  timeoutMs: 20_000,
  budget: budgetOf(3, 3 * 2),
  async run(ctx) {
    const user = ctx.credentials('user')!;
    const m = firstScram(ctx.profile.saslMechanisms)!;
    const nobody = unknownUser();
    const a = await scramFirstStep(ctx, m, nobody);
    const b = await scramFirstStep(ctx, m, nobody);
    const known = await scramFirstStep(ctx, m, user.username);
    const show = (s: FirstStep): string =>
      s.kind === 'challenge'
        ? `challenge (salt ${s.salt.length} chars base64, ${s.iterations} iterations)`
        : s.kind === 'refused'
          ? `refused: error ${s.code} ${s.message ?? ''}`
          : 'connection closed';
    const details = [
      `${m} unknown user, twice: ${show(a)}; ${show(b)}`,
      `${m} ${user.username}: ${show(known)}`,
    ];
    const remedy =
      'Answer an unknown SCRAM user with a challenge derived from a server secret and the name (stable salt, usual iterations), and fail it at the final step like a wrong password (kgw gateway does; Kafka refuses unknown users at the first step).';
    if (known.kind !== 'challenge')
      return skip(`${user.username} did not get a challenge either (${show(known)}): cannot compare`);
    if (a.kind !== 'challenge' || b.kind !== 'challenge')
      return fail(
        'an unknown user is refused at the first step while a known user gets a challenge: names can be enumerated',
        remedy,
        details,
      );
    if (a.salt !== b.salt)
      return fail(
        "the unknown user's salt changes between attempts; a real user's does not",
        remedy,
        details,
      );
    if (a.iterations < 4096)
      return fail(
        `the fake challenge asks for ${a.iterations} iterations, below SCRAM's minimum of 4096`,
        remedy,
        details,
      );
    return pass('unknown users get a stable challenge like real ones', details);
  },
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
};

/** "Coarse": only a gap both absolutely and relatively large counts, so load on the machine does not. */
export function grossTimingGap(a: number[], b: number[]): { gap: boolean; medians: [number, number] } {
  const ma = median(a);
  const mb = median(b);
  const gap = Math.abs(ma - mb) > 100 && Math.max(ma, mb) > 3 * Math.max(1, Math.min(ma, mb));
  return { gap, medians: [ma, mb] };
}

export const enumerationTiming: Check = {
  id: 'enumeration.timing',
  family: 'enumeration',
  title: 'Unknown and known users are answered in similar time',
  requires: ['sasl', 'user'],
  timeoutMs: 60_000,
  budget: budgetOf(10, 10 * 3),
  async run(ctx) {
    const user = ctx.credentials('user')!;
    const m = firstScram(ctx.profile.saslMechanisms);
    const nobody = unknownUser();
    const unknownMs: number[] = [];
    const knownMs: number[] = [];
    // Interleaved (ABBA…) so a trend in the machine's load affects both sides alike.
    const order = m ? [0, 1, 1, 0, 0, 1, 1, 0, 0, 1] : [0, 1, 1, 0, 0, 1];
    for (const who of order) {
      const name = who === 0 ? nobody : user.username;
      const ms = m
        ? (await scramFirstStep(ctx, m, name)).ms
        : (await tryLogin(ctx, 'PLAIN', name, `wrong-${randomBytes(4).toString('hex')}`)).ms;
      (who === 0 ? unknownMs : knownMs).push(ms);
    }
    const { gap, medians } = grossTimingGap(unknownMs, knownMs);
    const what = m ? `${m} first round` : 'PLAIN failed login';
    const details = [
      `${what}, unknown user: ${unknownMs.map((x) => x.toFixed(1)).join(', ')} ms (median ${medians[0].toFixed(1)})`,
      `${what}, ${user.username}: ${knownMs.map((x) => x.toFixed(1)).join(', ')} ms (median ${medians[1].toFixed(1)})`,
    ];
    if (gap)
      return fail(
        `${what}: median ${medians[0].toFixed(0)} ms for an unknown user vs ${medians[1].toFixed(0)} ms for ${user.username}`,
        'Spend the same work on unknown users as on known ones (e.g. derive a fake credential and run the same key derivation).',
        details,
      );
    return pass(`${what}: medians ${medians[0].toFixed(1)} ms vs ${medians[1].toFixed(1)} ms`, details);
  },
};
