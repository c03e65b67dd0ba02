/**
 * How the operator commands find their clusters (cli/support/targets.ts, context.ts) and end
 * (exit statuses): the context file's discovery order, --cluster, Kafka client properties and kgw's
 * YAML connection shape in --command-config, and every wrong input as a usage error (exit 2) that
 * names the file, line and key — never a crash, never a secret.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CommanderError } from 'commander';
import { contextFile, loadContext } from '../../../cli/support/context.js';
import { CommandFailed, exitCodeFor, UsageError } from '../../../cli/support/errors.js';
import { resolveSingleTarget, resolveTargets } from '../../../cli/support/targets.js';
import { ConfigError } from '../../../config/yaml.js';
import { ConfigReferenceError } from '../../../config/references.js';

const dir = mkdtempSync(join(tmpdir(), 'kgw-targets-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const usage = (fn: () => unknown, re: RegExp): void =>
  assert.throws(fn, (e: unknown) => {
    assert.equal(exitCodeFor(e), 2, `a usage error: ${String(e)}`);
    assert.match((e as Error).message, re);
    return true;
  });

describe('exit statuses', () => {
  test('usage and configuration errors are 2, failures 1, help 0', () => {
    assert.equal(exitCodeFor(new UsageError('x')), 2);
    assert.equal(exitCodeFor(new ConfigError('f', ['x'])), 2);
    assert.equal(exitCodeFor(new ConfigReferenceError('f', ['p'])), 2);
    assert.equal(exitCodeFor(new CommanderError(1, 'commander.unknownOption', 'x')), 2);
    assert.equal(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', 'x')), 0);
    assert.equal(exitCodeFor(new CommandFailed('x')), 1);
    assert.equal(exitCodeFor(new Error('anything else')), 1);
  });
});

describe('the context file', () => {
  test('found by flag, then $KGW_CONTEXT, then ./kgw.yaml', () => {
    const cwd = process.cwd();
    const saved = process.env.KGW_CONTEXT;
    const here = join(dir, 'cwd');
    mkdirSync(here, { recursive: true });
    writeFileSync(join(here, 'kgw.yaml'), 'clusters: []\n');
    try {
      process.chdir(here);
      delete process.env.KGW_CONTEXT;
      assert.equal(contextFile('/flag.yaml'), '/flag.yaml');
      assert.equal(contextFile(undefined), join(here, 'kgw.yaml'));
      process.env.KGW_CONTEXT = '/env.yaml';
      assert.equal(contextFile(undefined), '/env.yaml');
    } finally {
      process.chdir(cwd);
      if (saved === undefined) delete process.env.KGW_CONTEXT;
      else process.env.KGW_CONTEXT = saved;
    }
  });

  test('clusters, gateways, mirrors and monitor; errors name file:line and path', () => {
    const ok = loadContext(
      write(
        'ok.yaml',
        'clusters:\n  - { name: a, bootstrap: "h:1" }\n  - { name: b, bootstrap: "h:2", tls: true }\ngateways: [{ name: g, url: "http://g:9404" }]\nmonitor: http://m:9308\n',
      ),
    );
    assert.deepEqual(
      ok.clusters.map((c) => c.name),
      ['a', 'b'],
    );
    assert.equal(ok.monitor, 'http://m:9308');
    usage(
      () => loadContext(write('bad.yaml', 'clusters:\n  - name: a\n    bootstrap: h:1\n    colour: red\n')),
      /bad\.yaml:2: clusters\[0\]: unknown key\(s\): colour/,
    );
    usage(
      () =>
        loadContext(
          write(
            'dup.yaml',
            'clusters:\n  - { name: a, bootstrap: "h:1" }\n  - { name: a, bootstrap: "h:2" }\n',
          ),
        ),
      /dup\.yaml:3: clusters\[1\]\.name: duplicate name "a"/,
    );
    usage(
      () =>
        loadContext(
          write('ca.yaml', 'clusters:\n  - name: a\n    bootstrap: h:1\n    tls: { ca: nope.pem }\n'),
        ),
      /ca\.yaml:4: clusters\[0\]\.tls\.ca: cannot read .*nope\.pem: ENOENT/,
    );
    usage(
      () => loadContext(write('url.yaml', 'mirrors: [{ name: m, url: "ftp://x" }]\n')),
      /mirrors\[0\]\.url: expected an http/,
    );
  });

  test('--cluster picks one; commands that change something need exactly one', () => {
    const file = write(
      'two.yaml',
      'clusters:\n  - { name: a, bootstrap: "h:1" }\n  - { name: b, bootstrap: "h:2" }\n',
    );
    assert.equal(resolveTargets({ context: file }).targets.length, 2);
    assert.equal(resolveSingleTarget({ context: file, cluster: 'b' }).connection.bootstrap[0], 'h:2');
    usage(() => resolveSingleTarget({ context: file }), /several clusters \(a, b\): pick one with --cluster/);
    usage(
      () => resolveTargets({ context: file, cluster: 'c' }),
      /no cluster "c" in .*two\.yaml \(known: a, b\)/,
    );
  });
});

describe('--bootstrap-server with --command-config or flags', () => {
  test('Kafka client properties, with a secret reference; --bootstrap-server wins', () => {
    process.env.KGW_T_TARGET_PW = 'from-env';
    const props = write(
      'client.properties',
      'bootstrap.servers=ignored:1\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="${env:KGW_T_TARGET_PW}";\nlinger.ms=5\n',
    );
    const t = resolveSingleTarget({ bootstrapServer: 'b:9', commandConfig: props });
    assert.deepEqual(t.connection.bootstrap, ['b:9']);
    assert.deepEqual(t.connection.sasl, { mechanism: 'SCRAM-SHA-256', username: 'u', password: 'from-env' });
    assert.equal(t.name, 'b:9', 'named after its first bootstrap server');
  });

  test("kgw's YAML connection shape; paths relative to the file", () => {
    writeFileSync(join(dir, 'token'), 'tok\n');
    const yaml = write('conn.yaml', 'sasl: { mechanism: OAUTHBEARER, tokenFile: token }\n');
    const t = resolveSingleTarget({ bootstrapServer: 'b:9', commandConfig: yaml });
    assert.deepEqual(t.connection.sasl, { mechanism: 'OAUTHBEARER', tokenFile: join(dir, 'token') });
  });

  test('what cannot be used is a usage error with file:line: key and what to do', () => {
    const jks = write(
      'jks.properties',
      'security.protocol=SSL\nssl.truststore.type=JKS\nssl.truststore.location=/t.jks\n',
    );
    usage(
      () => resolveTargets({ bootstrapServer: 'b:9', commandConfig: jks }),
      /jks\.properties:2: ssl\.truststore\.type: JKS truststores .*ssl\.truststore\.type=PEM/,
    );
    const missing = write(
      'missing.properties',
      'security.protocol=SSL\nssl.truststore.location=/no/such/ca.pem\n',
    );
    usage(
      () => resolveTargets({ bootstrapServer: 'b:9', commandConfig: missing }),
      /missing\.properties: tls\.ca: cannot read \/no\/such\/ca\.pem: ENOENT/,
    );
    usage(
      () => resolveTargets({ commandConfig: write('nob.properties', 'client.id=x\n') }),
      /no bootstrap servers: give --bootstrap-server/,
    );
    usage(
      () => resolveTargets({ bootstrapServer: 'b:9', saslUser: 'u' }),
      /--sasl-user needs --sasl-password-file or --sasl-password-env/,
    );
    usage(
      () => resolveTargets({ bootstrapServer: 'b:9', saslUser: 'u', saslPasswordEnv: 'KGW_T_UNSET_PW' }),
      /KGW_T_UNSET_PW is not set/,
    );
    usage(
      () => resolveTargets({ bootstrapServer: 'nonsense' }),
      /the command line: bootstrap\[0\]: expected host:port/,
    );
    usage(() => resolveTargets({ caFile: '/ca.pem' }), /--ca-file and --sasl-\* need --bootstrap-server/);
  });
});
