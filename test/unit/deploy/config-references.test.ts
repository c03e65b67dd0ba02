/**
 * Secret references in configuration files (config/references.ts): the substitution equals
 * Kafka's own ConfigTransformer with EnvVarConfigProvider and DirectoryConfigProvider on random
 * values, every loader (gateway, seed, mirror properties and YAML, monitor) resolves them, and an
 * unresolvable reference is an error naming file, line and key without leaking any secret.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assertKafkaFetched } from '../../../deploy/kafka/runtime.js';
import { parseGatewayConfig } from '../../../gateway/config/load.js';
import { seedRecords } from '../../../gateway/credentials/seed.js';
import { loadMirrorConfig, type ClusterConfig } from '../../../mirror/config/config.js';
import { parseMonitorConfig } from '../../../monitor/config.js';
import { CredentialStore } from '../../../security/credentials/index.js';
import { verifyPasswordAgainstScram } from '../../../security/sasl/index.js';
import {
  ConfigReferenceError,
  resolveEntryReferences,
  resolveReferences,
} from '../../../config/references.js';

/** The password of a mirror cluster's PLAIN/SCRAM connection. */
const saslPassword = (c: ClusterConfig | undefined): string | undefined => {
  const sasl = c?.connection.sasl;
  return sasl && sasl.mechanism !== 'OAUTHBEARER' ? sasl.password : undefined;
};

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'kgw-config-refs-'));
const secrets = join(work, 'secrets');
mkdirSync(secrets);

function write(name: string, text: string): string {
  const file = join(work, name);
  writeFileSync(file, text);
  return file;
}

/** Runs Kafka's ConfigTransformer (test/java/deploy/KafkaConfigTransform.java) on the values. */
function kafkaTransform(values: string[], env: NodeJS.ProcessEnv): string[] {
  const libs = assertKafkaFetched();
  const classes = join(work, 'classes');
  execFileSync('javac', [
    '-cp',
    `${libs}/*`,
    '-d',
    classes,
    join(repo, 'test/java/deploy/KafkaConfigTransform.java'),
  ]);
  const input = values.map((v) => `v${Buffer.from(v).toString('base64')}\n`).join('');
  const out = execFileSync('java', ['-Xmx128m', '-cp', `${libs}/*:${classes}`, 'KafkaConfigTransform'], {
    input,
    env,
    encoding: 'utf8',
  });
  const lines = out.split('\n').filter((l) => l.startsWith('v'));
  assert.equal(lines.length, values.length, 'one answer per value');
  return lines.map((l) => Buffer.from(l.slice(1), 'base64').toString('utf8'));
}

describe('secret references', () => {
  it("resolve exactly as Kafka's ConfigTransformer (env and dir providers) on random values", () => {
    // Random variables and secret files, then random templates mixing literal text and references.
    const names = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/);
    // Environment values stay ASCII (the JVM decodes the environment with the locale's charset);
    // file contents are any Unicode text, read as UTF-8 by both.
    const ascii = fc.string({ maxLength: 24 }).filter((s) => !s.includes('${'));
    const unicode = fc.string({ unit: 'grapheme', maxLength: 24 }).filter((s) => !s.includes('${'));
    const [vars, files] = fc.sample(
      fc.tuple(
        fc.uniqueArray(fc.tuple(names, ascii), { minLength: 3, maxLength: 6, selector: (t) => t[0] }),
        fc.uniqueArray(fc.tuple(names, unicode), { minLength: 3, maxLength: 6, selector: (t) => t[0] }),
      ),
      1,
    )[0]!;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of vars) env[`KGW_T_${k}`] = v;
    for (const [k, v] of files) writeFileSync(join(secrets, k), v);
    // Literal text may hold '$', '{', '}' and ':' but never forms a reference of its own.
    const literal = fc.string({ maxLength: 12 }).filter((s) => !/\$\{/.test(s) && !s.endsWith('$'));
    const part = fc.oneof(
      literal,
      fc.constantFrom(...vars.map(([k]) => `\${env:KGW_T_${k}}`)),
      fc.constantFrom(...files.map(([k]) => `\${dir:${secrets}:${k}}`)),
    );
    const templates = fc.sample(
      fc.array(part, { maxLength: 5 }).map((p) => p.join('')),
      { numRuns: 300 },
    );
    const expected = kafkaTransform(templates, env);
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const ours = templates.map((t) => resolveReferences(t, { file: 'x.yaml' }));
      assert.deepEqual(ours, expected);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    }
  });

  it('follow symbolic links inside the directory, as in a Kubernetes Secret volume', () => {
    const dir = join(work, 'k8s-secret');
    mkdirSync(join(dir, '..data'), { recursive: true });
    writeFileSync(join(dir, '..data', 'password'), 's3cr3t');
    symlinkSync('..data/password', join(dir, 'password'));
    assert.equal(resolveReferences(`\${dir:${dir}:password}`, { file: 'x' }), 's3cr3t');
  });

  it('fail with file, line and key, and never print the secret', () => {
    process.env.KGW_T_PRESENT = 'do-not-print-me';
    const text = [
      'listeners:',
      '  - name: external',
      '    port: 9192',
      '    allowPlaintext: true',
      '    addressing: { mode: port-per-broker, brokerPortBase: 9200 }',
      'upstream:',
      '  bootstrap: [127.0.0.1:9092]',
      '  sasl:',
      '    mechanism: PLAIN',
      '    username: ${env:KGW_T_PRESENT}',
      '    password: ${env:KGW_T_UNSET_VARIABLE}',
    ].join('\n');
    assert.throws(
      () => parseGatewayConfig(text, 'gw.yaml'),
      (err: Error) => {
        assert.ok(err instanceof ConfigReferenceError);
        assert.match(
          err.message,
          /gw\.yaml:11: upstream\.sasl\.password: \$\{env:KGW_T_UNSET_VARIABLE\}: environment variable KGW_T_UNSET_VARIABLE is not set/,
        );
        assert.doesNotMatch(err.message, /do-not-print-me/);
        return true;
      },
    );
    const bad = [
      ['${dir:/nonexistent-kgw:pw}', /cannot read \/nonexistent-kgw\/pw: ENOENT/],
      [`\${dir:${secrets}:../x}`, /is not a file name inside/],
      [`\${dir:${work}:secrets}`, /is not a regular file/],
      ['${dir:pw}', /needs a directory/],
      ['${env:a:B}', /takes no path/],
      ['${file:/etc/x.properties:pw}', /not supported.*\$\{dir:/],
      ['${vault:a:b}', /unknown config provider "vault"/],
    ] as const;
    for (const [ref, message] of bad) {
      assert.throws(() => resolveReferences(`x${ref}y`, { file: 'f', key: 'k' }), message);
    }
  });

  it('leave values without references untouched (including "$", "{" and text Kafka would not match)', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/\$\{[^}]*:[^}]*\}/.test(s)),
        (s) => resolveReferences(s, { file: 'f' }) === s,
      ),
    );
  });
});

describe('every configuration loader resolves references', () => {
  const value = 'p@ss: #word"\'\\ ${not-a-ref} ü';
  process.env.KGW_T_SECRET = value;
  writeFileSync(join(secrets, 'upstream-password'), value);

  it('gateway YAML (env and dir) keeps the value byte for byte', () => {
    const cfg = parseGatewayConfig(
      [
        'listeners:',
        '  - { name: external, port: 9192, allowPlaintext: true, addressing: { mode: port-per-broker, advertisedHost: "${env:KGW_T_SECRET}", brokerPortBase: 9200 } }',
        'upstream:',
        '  bootstrap: [127.0.0.1:9092]',
        `  sasl: { mechanism: PLAIN, username: svc, password: "\${dir:${secrets}:upstream-password}" }`,
      ].join('\n'),
      'gw.yaml',
    );
    const sasl = cfg.upstream.sasl;
    assert.equal(sasl?.mechanism === 'PLAIN' && sasl.password, value);
    const addressing = cfg.listeners[0]!.addressing;
    assert.equal(addressing.mode === 'port-per-broker' && addressing.advertisedHost, value);
  });

  it('gateway seed file: the seeded SCRAM credential verifies against the referenced password', () => {
    const seed = write('seed.yaml', 'users:\n  - name: admin\n    password: ${env:KGW_T_SECRET}\n');
    const store = new CredentialStore();
    seedRecords(seed, store, 4096);
    const credential = store.get('admin', 'SCRAM-SHA-512');
    assert.ok(credential);
    assert.equal(verifyPasswordAgainstScram(value, credential, 'SCRAM-SHA-512'), true);
    assert.equal(verifyPasswordAgainstScram('${env:KGW_T_SECRET}', credential, 'SCRAM-SHA-512'), false);
    const unset = write('seed-bad.yaml', 'users:\n  - name: admin\n    password: ${env:KGW_T_NOT_SET}\n');
    assert.throws(
      () => seedRecords(unset, new CredentialStore(), 4096),
      /seed-bad\.yaml:3: users\[0\]\.password/,
    );
  });

  it('mirror: mm2.properties and YAML, inside a JAAS line', () => {
    process.env.KGW_T_JAAS_PW = 'mirror-secret';
    const jaas =
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="mm2" password="${env:KGW_T_JAAS_PW}";';
    const props = write(
      'mm2.properties',
      `clusters = a, b\na.bootstrap.servers = h:1\nb.bootstrap.servers = h:2\nb.security.protocol = SASL_PLAINTEXT\nb.sasl.mechanism = SCRAM-SHA-512\nb.sasl.jaas.config = ${jaas}\n`,
    );
    assert.equal(saslPassword(loadMirrorConfig(props).clusters.get('b')), 'mirror-secret');
    const yaml = write(
      'mm2.yaml',
      `clusters:\n  a: { bootstrap.servers: 'h:1' }\n  b:\n    bootstrap.servers: 'h:2'\n    security.protocol: SASL_PLAINTEXT\n    sasl.mechanism: SCRAM-SHA-512\n    sasl.jaas.config: '${jaas}'\n`,
    );
    assert.equal(saslPassword(loadMirrorConfig(yaml).clusters.get('b')), 'mirror-secret');
    const bad = write('mm2-bad.properties', 'clusters = a\na.bootstrap.servers = ${env:KGW_T_NOT_SET}\n');
    assert.throws(() => loadMirrorConfig(bad), /mm2-bad\.properties:2: a\.bootstrap\.servers/);
    assert.deepEqual(resolveEntryReferences([{ key: 'k', value: 'a${env:KGW_T_JAAS_PW}b', line: 1 }], 'f'), [
      { key: 'k', value: 'amirror-secretb', line: 1 },
    ]);
  });

  it('monitor YAML', () => {
    process.env.KGW_T_BOOTSTRAP = 'kafka-east:9092';
    const cfg = parseMonitorConfig(
      'clusters:\n  - { name: east, bootstrap: "${env:KGW_T_BOOTSTRAP}" }\n',
      'm.yaml',
    );
    assert.deepEqual(cfg.clusters[0]?.bootstrap, ['kafka-east:9092']);
    assert.throws(
      () => parseMonitorConfig('clusters:\n  - { name: east, bootstrap: "${env:KGW_T_NOPE}" }\n', 'm.yaml'),
      /m\.yaml:2: clusters\[0\]\.bootstrap/,
    );
  });
});
