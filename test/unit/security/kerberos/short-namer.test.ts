// Our KerberosShortNamer against Kafka's own: the same rule lists and principals go through both, and
// every answer (short name, or which error with which message) must be the same. Cases are Kafka's
// documented examples, edge cases of the grammar, and a few hundred rule lists generated from the
// grammar's pieces (the seed is printed on failure; KGW_SEED=<n> replays it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { assertKafkaFetched } from '../../../../deploy/kafka/runtime.js';
import { InvalidMappingRuleError } from '../../../../security/principal-mapping.js';
import {
  BadKerberosFormatError,
  InvalidKerberosRuleError,
  KerberosShortNamer,
  MalformedKerberosNameError,
  NoMatchingKerberosRuleError,
} from '../../../../security/kerberos/short-namer.js';

// dist/test/unit/security/kerberos → the source tree's copy of the Java helper.
const JAVA_HELPER = join(
  dirname(fileURLToPath(import.meta.url)),
  ...Array<string>(5).fill('..'),
  'test/unit/security/kerberos/KerberosShortNamerCheck.java',
);

interface Case {
  realm: string;
  rules: string[] | null;
  principals: string[];
}
type Answer = { ok: string } | { error: string; message?: string };
interface CaseAnswer {
  parse: Answer;
  results?: Answer[];
}
interface JavaAnswer {
  parse: { ok: true } | { error: string; message: string };
  results?: ({ ok: string } | { error: string; message: string })[];
}

/** Kafka's answers, from one JVM for all cases. */
function kafkaAnswers(cases: Case[]): JavaAnswer[] {
  const libs = assertKafkaFetched();
  const r = spawnSync('java', ['-Xmx128m', '-cp', `${libs}/*`, JAVA_HELPER], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `Java helper failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as JavaAnswer[];
}

// Errors compared by kind; messages too where both sides build them the same way (regex syntax
// errors and Java's replacement errors are worded by each regex engine).
function javaKind(e: { error: string; message: string }): Answer {
  switch (e.error) {
    case 'PatternSyntaxException':
      return { error: 'invalid-rule' };
    case 'IllegalArgumentException':
    case 'NumberFormatException':
      if (e.message.startsWith('Malformed Kerberos name')) return { error: 'malformed', message: e.message };
      if (e.message.startsWith('Invalid rule') || e.message.startsWith('For input'))
        return { error: 'invalid-rule', message: e.message };
      return { error: 'replacement' };
    case 'IndexOutOfBoundsException':
      return { error: 'replacement' };
    case 'NoMatchingRule':
      return { error: 'no-matching-rule', message: e.message };
    case 'BadFormatString':
      return { error: 'bad-format', message: e.message };
    default:
      return { error: `unexpected Java ${e.error}`, message: e.message };
  }
}

function ourKind(e: unknown): Answer {
  const message = (e as Error).message;
  if (e instanceof InvalidKerberosRuleError)
    return /^(Invalid rule|For input)/.test(message)
      ? { error: 'invalid-rule', message }
      : { error: 'invalid-rule' };
  if (e instanceof MalformedKerberosNameError) return { error: 'malformed', message };
  if (e instanceof NoMatchingKerberosRuleError) return { error: 'no-matching-rule', message };
  if (e instanceof BadKerberosFormatError) return { error: 'bad-format', message };
  if (e instanceof InvalidMappingRuleError) return { error: 'replacement' };
  return { error: `unexpected ${(e as Error).name}`, message };
}

function fromJava(a: JavaAnswer): CaseAnswer {
  if ('error' in a.parse) return { parse: javaKind(a.parse) };
  return {
    parse: { ok: 'parsed' },
    results: (a.results ?? []).map((r) => ('ok' in r ? { ok: r.ok } : javaKind(r))),
  };
}

function ours(c: Case): CaseAnswer {
  let namer: KerberosShortNamer;
  try {
    namer = new KerberosShortNamer(c.realm, c.rules);
  } catch (e) {
    return { parse: ourKind(e) };
  }
  return {
    parse: { ok: 'parsed' },
    results: c.principals.map((p) => {
      try {
        return { ok: namer.shortName(p) };
      } catch (e) {
        return ourKind(e);
      }
    }),
  };
}

function assertSameAsKafka(cases: Case[], kafka: CaseAnswer[], note = ''): void {
  assert.equal(kafka.length, cases.length);
  cases.forEach((c, i) => assert.deepEqual(ours(c), kafka[i], `${note}case ${JSON.stringify(c)}`));
}

const PRINCIPALS = [
  'alice@EXAMPLE.COM',
  'Alice@EXAMPLE.COM',
  'alice@OTHER.ORG',
  'alice/admin@EXAMPLE.COM',
  'kafka/broker1.example.com@EXAMPLE.COM',
  'svc.app@EXAMPLE.COM',
  'x@',
  '@EXAMPLE.COM',
  'bob',
  'bob/host',
  'a@b@c',
  'a/b/c@EXAMPLE.COM',
];

const RULE_LISTS: (string[] | null)[] = [
  null,
  [],
  ['DEFAULT'],
  // docs: "RULE:[1:$1@$0](.*@MYDOMAIN.COM)s/@.*//,DEFAULT" and its /L and /U forms
  ['RULE:[1:$1@$0](.*@EXAMPLE.COM)s/@.*//', 'DEFAULT'],
  ['RULE:[1:$1@$0](.*@EXAMPLE.COM)s/@.*//L', 'DEFAULT'],
  ['RULE:[1:$1@$0](.*@EXAMPLE.COM)s/@.*//U', 'DEFAULT'],
  ['RULE:[2:$1@$0](.*@EXAMPLE.COM)s/@.*//', 'DEFAULT'],
  ['RULE:[2:$1/$2@$0]', 'DEFAULT'],
  ['RULE:[2:$1]', 'RULE:[1:$1]'],
  ['RULE:[1:$1]L', 'RULE:[2:$2]/U'],
  ['RULE:[1:$1$2]'],
  ['RULE:[1:$]'],
  ['RULE:[1:x$1y]s/(.)/$1$1/g'],
  ['RULE:[1:$1]s/a/$2/'],
  ['RULE:[1:$1]s/a/\\$/'],
  ['RULE:[1:$1]s/([a-z])/\\U$1/g'],
  ['RULE:[1:$1](a.*)'],
  ['RULE:[1:$1]()', 'DEFAULT'],
  ['RULE:[1:$1]s///'],
  ['RULE:[1:$1]s//-/g'],
  ['RULE:[1:$1]s/x*/-/g'],
  ['DEFAULT/L'],
  ['DEFAULT/U'],
  ['DEFAULTX'],
  ['default'],
  ['RULE:[1:$1'],
  ['RULE:[:$1]'],
  ['RULE:[99999999999:$1]'],
  ['RULE:[1:$1](a(b)'],
  ['RULE:[1:$1]s/(/x/'],
  ['RULE:[1:$1]s/a/b/gL'],
  ['RULE:[1:$1]s/a/b/g/L/U'],
  ['RULE:[1:$1]s/a/b'],
  [' DEFAULT'],
  ['RULE:[1:$1]s/a/b/', ''],
];

/** Rule lists and principals drawn from the grammar's pieces, valid and not. */
function generatedCases(seed: number): Case[] {
  const pick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);
  const format = fc
    .array(pick(['$0', '$1', '$2', '$3', '@', '/', '.', 'x', '$', '$12', 'A']), {
      minLength: 0,
      maxLength: 4,
    })
    .map((xs) => xs.join(''));
  const match = fc.option(
    pick(['.*', '', 'a.*', '.*@EXAMPLE\\.COM', '[a-z]+@[A-Z.]+', '.*/admin@.*', 'x|y', '(?i)ALICE.*', '[']),
    { nil: undefined },
  );
  const from = pick(['@.*', '(.*)@.*', '^a', 'a', '', 'x*', '/.*', '([a-z]+)', '(?<n>[a-z])', '.']);
  const to = pick(['', '$1', 'u_$1', '\\$', 'X', '$2', '$0', '${n}', '$']);
  const subst = fc.option(
    fc.tuple(from, to, fc.boolean()).map(([f, t, g]) => `s/${f}/${t}/${g ? 'g' : ''}`),
    { nil: undefined },
  );
  const suffix = pick(['', '', '/L', '/U', 'L', 'U', '/', '/X']);
  const rule = fc.oneof(
    { weight: 1, arbitrary: fc.constant('DEFAULT') },
    {
      weight: 6,
      arbitrary: fc
        .tuple(pick(['0', '1', '1', '2', '2', '3', '']), format, match, subst, suffix)
        .map(([n, f, m, s, x]) => `RULE:[${n}:${f}]${m === undefined ? '' : `(${m})`}${s ?? ''}${x}`),
    },
  );
  const principal = fc.oneof(
    pick(PRINCIPALS),
    fc
      .tuple(
        pick(['alice', 'Bob', 'x', '', 'a.b', 'ä']),
        fc.option(pick(['admin', 'host.example.com', 'ADMIN', '']), { nil: undefined }),
        fc.option(pick(['EXAMPLE.COM', 'OTHER.ORG', '']), { nil: undefined }),
      )
      .map(([p, i, r]) => `${p}${i === undefined ? '' : `/${i}`}${r === undefined ? '' : `@${r}`}`),
  );
  const kase = fc.record({
    realm: pick(['EXAMPLE.COM', 'OTHER.ORG']),
    rules: fc.array(rule, { minLength: 0, maxLength: 3 }),
    principals: fc.array(principal, { minLength: 1, maxLength: 8 }),
  });
  return fc.sample(kase, { numRuns: 1500, seed });
}

void describe('sasl.kerberos.principal.to.local.rules: same answers as Kafka', () => {
  const seed = Number(process.env.KGW_SEED ?? Date.now() % 2 ** 31);
  const listed = RULE_LISTS.map((rules) => ({ realm: 'EXAMPLE.COM', rules, principals: PRINCIPALS }));
  const generated = generatedCases(seed);
  let kafka: CaseAnswer[] = [];
  // One JVM answers every case: starting it is most of this test's time.
  before(() => {
    kafka = kafkaAnswers([...listed, ...generated]).map(fromJava);
  });

  void it("Kafka's documented examples and grammar edge cases", () => {
    assertSameAsKafka(listed, kafka.slice(0, listed.length));
  });

  void it('generated rule lists', () => {
    // The generator must reach every outcome, or the comparison proves less than it claims.
    const outcomes = new Set(
      generated.flatMap((c) => {
        const a = ours(c);
        return 'ok' in a.parse ? (a.results ?? []).map((r) => ('ok' in r ? 'ok' : r.error)) : [a.parse.error];
      }),
    );
    for (const o of ['ok', 'invalid-rule', 'no-matching-rule', 'bad-format', 'malformed', 'replacement'])
      assert.ok(outcomes.has(o), `generated cases never reach ${o} (seed ${seed})`);
    assertSameAsKafka(generated, kafka.slice(listed.length), `seed ${seed}: `);
  });
});
