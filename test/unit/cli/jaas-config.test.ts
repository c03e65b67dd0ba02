/**
 * sasl.jaas.config as `kgw … --command-config client.properties` reads it
 * (client/client-properties.ts) equals Kafka's own JaasConfig on random login-module
 * entries: the login module and every option, or a refusal where Kafka refuses.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assertKafkaFetched } from '../../../deploy/kafka/runtime.js';
import { parseJaasConfig } from '../../../client/client-properties.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

type Parsed = { module: string; options: [string, string][] } | 'refused';

function kafkaParse(texts: string[]): Parsed[] {
  const libs = assertKafkaFetched();
  const classes = mkdtempSync(join(tmpdir(), 'kgw-jaas-'));
  execFileSync('javac', ['-cp', `${libs}/*`, '-d', classes, join(repo, 'test/java/cli/KafkaJaasParse.java')]);
  const out = execFileSync('java', ['-Xmx128m', '-cp', `${libs}/*:${classes}`, 'KafkaJaasParse'], {
    input: texts.map((t) => `v${Buffer.from(t).toString('base64')}\n`).join(''),
    encoding: 'utf8',
  });
  const d = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
  const results: Parsed[] = [];
  let current: { module: string; options: [string, string][] } | undefined;
  for (const line of out.split('\n')) {
    if (line === 'e') results.push('refused');
    else if (line.startsWith('m')) current = { module: d(line.slice(1)), options: [] };
    else if (line.startsWith('o')) {
      const [k, v] = line.slice(1).split(' ');
      current!.options.push([d(k!), d(v!)]);
    } else if (line === '.') {
      results.push(current!);
      current = undefined;
    }
  }
  assert.equal(results.length, texts.length, 'one answer per text');
  return results;
}

function ours(text: string): Parsed {
  const r = parseJaasConfig(text);
  return typeof r === 'string' ? 'refused' : { module: r.loginModule, options: [...r.options] };
}

const sortOptions = (p: Parsed): Parsed =>
  p === 'refused' ? p : { ...p, options: [...p.options].sort((a, b) => (a[0] < b[0] ? -1 : 1)) };

describe('sasl.jaas.config', () => {
  it("parses as Kafka's JaasConfig on random entries (module, flag, quoted and bare options)", () => {
    const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,10}$/);
    const module = fc.array(word, { minLength: 1, maxLength: 4 }).map((p) => p.join('.'));
    const flag = fc.constantFrom('required', 'requisite', 'sufficient', 'optional');
    // Quoted values: printable text with quotes and backslashes escaped as a properties file writer would.
    const quoted = fc
      .string({ maxLength: 16 })
      // eslint-disable-next-line no-control-regex -- control characters are what is excluded
      .filter((s) => !/[\x00-\x1f\\]/.test(s))
      .map((s) => `"${s.replace(/"/g, '\\"')}"`);
    const bare = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    const option = fc.tuple(word, fc.oneof(quoted, bare));
    const entry = fc
      .tuple(
        module,
        flag,
        fc.uniqueArray(option, { maxLength: 4, selector: (o) => o[0] }),
        fc.constantFrom(' ', '  ', '\t'),
      )
      .map(([m, f, opts, sp]) => `${m} ${f}${opts.map(([k, v]) => `${sp}${k}=${v}`).join('')};`);
    const texts = fc.sample(entry, 150);
    // Kafka's real-world forms, and malformed ones.
    texts.push(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";',
      'org.apache.kafka.common.security.plain.PlainLoginModule required username=bob password=pw;',
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="c" clientSecret="s" scope="kafka";',
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="a"',
      'username="alice" password="x";',
      'Module notaflag user="x";',
    );
    const theirs = kafkaParse(texts);
    texts.forEach((t, i) =>
      assert.deepEqual(sortOptions(ours(t)), sortOptions(theirs[i]!), `for ${JSON.stringify(t)}`),
    );
  });
});
