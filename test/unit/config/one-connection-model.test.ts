/**
 * One cluster-connection model for every product (issue #14): the same connection settings, written
 * as the gateway's `upstream` (YAML), a monitor cluster (YAML), a mirror cluster in MM2's
 * `<alias>.`-prefixed Kafka client properties and a mirror cluster in its YAML form's
 * `clusters.<alias>` (the shared shape), give identical TLS and SASL options to client/'s
 * connections and to kafkajs; and a wrong setting is reported by each product's loader as
 * `file:line: key.path: message`, as one ConfigError.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { connectionOptions, kafkajsConfig } from '../../../client/cluster-connection.js';
import type { ConnectionOptions } from '../../../client/connection.js';
import { kafkajsSecurity } from '../../../client/kafkajs/security.js';
import { ConfigError } from '../../../config/errors.js';
import { loadGatewayConfig } from '../../../gateway/config/load.js';
import {
  kafkajsConfig as upstreamKafkajsConfig,
  upstreamConnectionOptions,
} from '../../../gateway/upstream/client-options.js';
import { loadMirrorConfig } from '../../../mirror/config/config.js';
import { connectionOptions as mirrorConnectionOptions } from '../../../mirror/kafka/native-cluster.js';
import { loadMonitorConfig } from '../../../monitor/config.js';
import { createDevPki, type DevPkiFiles } from '../../../security/pki/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kgw-one-model-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

let pki: DevPkiFiles;
/** Kafka's PEM keystore file: the private key and the certificate chain in one file. */
let keystore: string;
before(async () => {
  pki = await createDevPki({
    dir: join(dir, 'pki'),
    serverNames: ['localhost'],
    clients: ['svc'],
    password: 'pw',
  });
  const client = pki.clients.svc!;
  keystore = write('svc-keystore.pem', readFileSync(client.key, 'utf8') + readFileSync(client.chain, 'utf8'));
});

const GATEWAY_LISTENER = `listeners:
  - { name: l, port: 9092, allowPlaintext: true, addressing: { mode: port-per-broker, brokerPortBase: 40000 } }
`;

/** One setting, in the three forms; YAML is the shared shape's `tls` / `sasl` text (flow style). */
interface Setting {
  name: string;
  yaml: { tls?: string; sasl?: string };
  properties: () => string[];
}

const SCRAM_JAAS =
  'org.apache.kafka.common.security.scram.ScramLoginModule required username="svc" password="s3cret-pw";';

const settings = (): Setting[] => [
  {
    name: 'SASL_SSL, SCRAM-SHA-512, a CA file, mTLS from a PEM keystore',
    yaml: {
      tls: `{ ca: ${pki.caCert}, cert: ${keystore}, key: ${keystore} }`,
      sasl: '{ mechanism: SCRAM-SHA-512, username: svc, password: s3cret-pw }',
    },
    properties: () => [
      'security.protocol = SASL_SSL',
      'sasl.mechanism = SCRAM-SHA-512',
      `sasl.jaas.config = ${SCRAM_JAAS}`,
      'ssl.truststore.type = PEM',
      `ssl.truststore.location = ${pki.caCert}`,
      'ssl.keystore.type = PEM',
      `ssl.keystore.location = ${keystore}`,
    ],
  },
  {
    name: 'SSL with the host name check off',
    yaml: { tls: `{ ca: ${pki.caCert}, verifyHostname: false }` },
    properties: () => [
      'security.protocol = SSL',
      `ssl.truststore.location = ${pki.caCert}`,
      'ssl.endpoint.identification.algorithm =',
    ],
  },
  {
    name: 'SASL_PLAINTEXT, PLAIN',
    yaml: { sasl: '{ mechanism: PLAIN, username: svc, password: s3cret-pw }' },
    properties: () => [
      'security.protocol = SASL_PLAINTEXT',
      'sasl.mechanism = PLAIN',
      'sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required username="svc" password="s3cret-pw";',
    ],
  },
  {
    name: 'SASL_SSL, OAUTHBEARER from a token file',
    yaml: {
      tls: `{ ca: ${pki.caCert} }`,
      sasl: `{ mechanism: OAUTHBEARER, tokenFile: ${join(dir, 'token')} }`,
    },
    properties: () => [
      'security.protocol = SASL_SSL',
      'sasl.mechanism = OAUTHBEARER',
      `sasl.oauthbearer.token.endpoint.url = file://${join(dir, 'token')}`,
      `ssl.truststore.location = ${pki.caCert}`,
    ],
  },
];

const section = (indent: string, s: Setting): string =>
  (s.yaml.tls ? `${indent}tls: ${s.yaml.tls}\n` : '') +
  (s.yaml.sasl ? `${indent}sasl: ${s.yaml.sasl}\n` : '');

/** TLS and SASL of client/ options; an OAUTHBEARER token provider is replaced by the token it gives. */
async function security(o: ConnectionOptions): Promise<unknown> {
  const sasl =
    o.sasl?.mechanism === 'OAUTHBEARER'
      ? { mechanism: o.sasl.mechanism, token: await o.sasl.token() }
      : o.sasl;
  return { tls: o.tls, sasl };
}

/**
 * kafkajs' ssl and sasl; an OAUTHBEARER provider is replaced by the token it gives, and the host name
 * check that is turned off (a new function each time) by what it does.
 */
async function kafkajsSecurityOf(k: { ssl?: unknown; sasl?: unknown }): Promise<unknown> {
  const sasl = k.sasl as
    { mechanism: string; oauthBearerProvider?: () => Promise<{ value: string }> } | undefined;
  let ssl = k.ssl as Record<string, unknown> | undefined;
  if (typeof ssl?.checkServerIdentity === 'function') {
    const check = ssl.checkServerIdentity as (host: string, cert: unknown) => unknown;
    ssl = {
      ...ssl,
      checkServerIdentity: check('any.host', {}) === undefined ? 'accepts any name' : 'checks',
    };
  }
  return {
    ssl,
    sasl: sasl?.oauthBearerProvider
      ? { mechanism: sasl.mechanism, token: (await sasl.oauthBearerProvider()).value }
      : sasl,
  };
}

describe('one connection model: gateway upstream, monitor cluster, mirror cluster (both forms)', () => {
  test('the same settings give the same TLS and SASL options in every product', async () => {
    writeFileSync(join(dir, 'token'), 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJzdmMifQ.\n');
    for (const [i, s] of settings().entries()) {
      const gateway = loadGatewayConfig(
        write(
          `gw-${i}.yaml`,
          `${GATEWAY_LISTENER}upstream:\n  bootstrap: [broker-1:9093]\n${section('  ', s)}`,
        ),
      );
      const monitor = loadMonitorConfig(
        write(
          `monitor-${i}.yaml`,
          `clusters:\n  - name: east\n    bootstrap: broker-1:9093\n${section('    ', s)}`,
        ),
      );
      const mirror = loadMirrorConfig(
        write(
          `mm2-${i}.properties`,
          [
            'clusters = east, west',
            'east.bootstrap.servers = broker-1:9093',
            ...s.properties().map((line) => `east.${line}`),
            'west.bootstrap.servers = other:9092',
          ].join('\n'),
        ),
      );
      const mirrorYaml = loadMirrorConfig(
        write(
          `mirror-${i}.yaml`,
          `clusters:\n  east:\n    bootstrap: broker-1:9093\n${section('    ', s)}  west: { bootstrap: 'other:9092' }\n`,
        ),
      );
      const monitorCluster = monitor.clusters[0]!;
      const mirrorCluster = mirror.clusters.get('east')!;
      const mirrorYamlCluster = mirrorYaml.clusters.get('east')!;
      // Both of the mirror's forms read into the very same connection (and the same defaults).
      assert.deepEqual(mirrorYamlCluster, mirrorCluster, `${s.name}: mirror YAML shape = mm2.properties`);

      // client/'s connections, through each product's own mapping.
      const viaGateway = await security(upstreamConnectionOptions(gateway.upstream, 'kgw-gateway'));
      const viaMonitor = await security(
        connectionOptions(monitorCluster, { clientId: 'kgw-monitor', requestTimeoutMs: 30_000 }),
      );
      const viaMirror = await security(mirrorConnectionOptions(mirrorCluster, 'source'));
      const viaMirrorYaml = await security(mirrorConnectionOptions(mirrorYamlCluster, 'target'));
      assert.deepEqual(viaMonitor, viaGateway, `${s.name}: monitor = gateway`);
      assert.deepEqual(viaMirror, viaGateway, `${s.name}: mirror = gateway`);
      assert.deepEqual(viaMirrorYaml, viaGateway, `${s.name}: mirror YAML = gateway`);

      // kafkajs, as the gateway (security/audit topics), the monitor (collector) and the mirror
      // (kafkaFor: kafkajsSecurity over its connection options) build it.
      const kGateway = await kafkajsSecurityOf(upstreamKafkajsConfig(gateway.upstream, 'kgw-gateway-audit'));
      const kMonitor = await kafkajsSecurityOf(
        kafkajsConfig(monitorCluster, { clientId: 'kgw-monitor', requestTimeoutMs: 30_000 }),
      );
      const kMirror = await kafkajsSecurityOf(
        kafkajsSecurity(mirrorConnectionOptions(mirrorCluster, 'source')),
      );
      const kMirrorYaml = await kafkajsSecurityOf(
        kafkajsSecurity(mirrorConnectionOptions(mirrorYamlCluster, 'source')),
      );
      assert.deepEqual(kMonitor, kGateway, `${s.name}: kafkajs, monitor = gateway`);
      assert.deepEqual(kMirror, kGateway, `${s.name}: kafkajs, mirror = gateway`);
      assert.deepEqual(kMirrorYaml, kGateway, `${s.name}: kafkajs, mirror YAML = gateway`);

      // And the options say what the setting says (not merely equal to each other).
      const opts = viaGateway as { tls?: Record<string, unknown>; sasl?: Record<string, unknown> };
      assert.equal(opts.tls !== undefined, s.yaml.tls !== undefined, s.name);
      if (opts.tls) {
        assert.equal(opts.tls.ca, readFileSync(pki.caCert, 'utf8'), `${s.name}: the CA's PEM`);
        assert.equal(opts.tls.rejectUnauthorized, true, `${s.name}: the chain is always verified`);
        assert.equal(opts.tls.checkServerIdentity, !s.yaml.tls!.includes('verifyHostname: false'), s.name);
        assert.equal(opts.tls.cert !== undefined, s.yaml.tls!.includes('cert:'), s.name);
      }
      if (s.yaml.sasl?.includes('OAUTHBEARER'))
        assert.deepEqual(opts.sasl, {
          mechanism: 'OAUTHBEARER',
          token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJzdmMifQ.',
        });
      else if (s.yaml.sasl)
        assert.deepEqual(opts.sasl, {
          mechanism: s.yaml.sasl.includes('PLAIN') ? 'PLAIN' : 'SCRAM-SHA-512',
          username: 'svc',
          password: 's3cret-pw',
        });
      else assert.equal(opts.sasl, undefined, s.name);
    }
  });

  test('a wrong setting is one ConfigError naming file, line and key path in every product', () => {
    const refused = (load: () => unknown, expected: RegExp): void =>
      assert.throws(load, (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, expected);
        return true;
      });
    // A SASL mechanism kgw's clients do not speak.
    refused(
      () =>
        loadGatewayConfig(
          write(
            'gw-bad.yaml',
            `${GATEWAY_LISTENER}upstream:\n  bootstrap: [broker-1:9093]\n  sasl: { mechanism: GSSAPI, username: svc, password: x }\n`,
          ),
        ),
      /gw-bad\.yaml:5: upstream\.sasl\.mechanism: mechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER/,
    );
    refused(
      () =>
        loadMonitorConfig(
          write(
            'monitor-bad.yaml',
            'clusters:\n  - name: east\n    bootstrap: broker-1:9093\n    sasl: { mechanism: GSSAPI, username: svc, password: x }\n',
          ),
        ),
      /monitor-bad\.yaml:4: clusters\[0\]\.sasl\.mechanism: mechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER/,
    );
    refused(
      () =>
        loadMirrorConfig(
          write(
            'mm2-bad.properties',
            'clusters = east\neast.bootstrap.servers = broker-1:9093\neast.security.protocol = SASL_SSL\neast.sasl.mechanism = GSSAPI\n',
          ),
        ),
      /mm2-bad\.properties:4: east\.sasl\.mechanism: GSSAPI .* set PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER/,
    );
    refused(
      () =>
        loadMirrorConfig(
          write(
            'mirror-bad.yaml',
            'clusters:\n  west: { bootstrap: "other:9092" }\n  east:\n    bootstrap: broker-1:9093\n    tls: true\n    sasl:\n      mechanism: GSSAPI\n      username: svc\n',
          ),
        ),
      /mirror-bad\.yaml:7: clusters\.east\.sasl\.mechanism: mechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER/,
    );
    // A bootstrap server that is not host:port.
    refused(
      () =>
        loadGatewayConfig(write('gw-boot.yaml', `${GATEWAY_LISTENER}upstream:\n  bootstrap: [broker-1]\n`)),
      /gw-boot\.yaml:4: upstream\.bootstrap\[0\]: expected host:port/,
    );
    refused(
      () =>
        loadMonitorConfig(
          write('monitor-boot.yaml', 'clusters:\n  - name: east\n    bootstrap: [broker-1]\n'),
        ),
      /monitor-boot\.yaml:3: clusters\[0\]\.bootstrap\[0\]: expected host:port/,
    );
    refused(
      () =>
        loadMirrorConfig(
          write('mm2-boot.properties', 'clusters = east\neast.bootstrap.servers = broker-1\n'),
        ),
      /mm2-boot\.properties:2: east\.bootstrap\.servers: expected host:port/,
    );
    refused(
      () =>
        loadMirrorConfig(
          write('mirror-boot.yaml', 'clusters:\n  east:\n    clientId: m\n    bootstrap: [broker-1]\n'),
        ),
      /mirror-boot\.yaml:4: clusters\.east\.bootstrap\[0\]: expected host:port/,
    );
    // A CA file that cannot be read (checked when the configuration is loaded, by every product).
    refused(
      () =>
        loadGatewayConfig(
          write(
            'gw-ca.yaml',
            `${GATEWAY_LISTENER}upstream:\n  bootstrap: [broker-1:9093]\n  tls: { ca: missing.pem }\n`,
          ),
        ),
      /gw-ca\.yaml:5: upstream\.tls\.ca: cannot read .*missing\.pem: ENOENT/,
    );
    refused(
      () =>
        loadMonitorConfig(
          write(
            'monitor-ca.yaml',
            'clusters:\n  - name: east\n    bootstrap: broker-1:9093\n    tls: { ca: missing.pem }\n',
          ),
        ),
      /monitor-ca\.yaml:4: clusters\[0\]\.tls\.ca: cannot read .*missing\.pem: ENOENT/,
    );
    refused(
      () =>
        loadMirrorConfig(
          write(
            'mm2-ca.properties',
            `clusters = east\neast.bootstrap.servers = broker-1:9093\neast.security.protocol = SSL\neast.ssl.truststore.location = ${join(dir, 'missing.pem')}\n`,
          ),
        ),
      /mm2-ca\.properties:4: east\.ssl\.truststore\.location: cannot read .*missing\.pem: ENOENT/,
    );
    refused(
      () =>
        loadMirrorConfig(
          write(
            'mirror-ca.yaml',
            'clusters:\n  east:\n    bootstrap: broker-1:9093\n    tls:\n      verifyHostname: false\n      ca: missing.pem\n',
          ),
        ),
      // Relative to the configuration file's folder, as in every YAML file.
      new RegExp(
        `mirror-ca\\.yaml:6: clusters\\.east\\.tls\\.ca: cannot read ${join(dir, 'missing.pem')}: ENOENT`,
      ),
    );
    // The mirror's YAML form: one alias, one connection form; the error names the keys of both.
    refused(
      () =>
        loadMirrorConfig(
          write(
            'mirror-mixed.yaml',
            'clusters:\n  west: { bootstrap.servers: "other:9092" }\n  east:\n    bootstrap: broker-1:9093\n    security.protocol: SASL_SSL\n    sasl: { mechanism: PLAIN, username: svc, password: x }\n    ssl.truststore.location: /ca.pem\n',
          ),
        ),
      /mirror-mixed\.yaml:3: clusters\.east: cluster "east" mixes the two connection forms: bootstrap, sasl \(the YAML connection shape\) and security\.protocol, ssl\.truststore\.location \(MM2 client properties\)/,
    );
  });

  test('a JAAS line the mirror read before but Kafka refuses still loads, with a warning', () => {
    const mirror = loadMirrorConfig(
      write(
        'mm2-loose.properties',
        [
          'clusters = east',
          'east.bootstrap.servers = broker-1:9093',
          'east.security.protocol = SASL_PLAINTEXT',
          'east.sasl.mechanism = PLAIN',
          'east.sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required username=svc password=123',
        ].join('\n'),
      ),
    );
    assert.deepEqual(mirror.clusters.get('east')!.connection.sasl, {
      mechanism: 'PLAIN',
      username: 'svc',
      password: '123',
    });
    assert.equal(mirror.warnings.length, 1);
    assert.match(
      mirror.warnings[0]!,
      /mm2-loose\.properties:5: east\.sasl\.jaas\.config: Kafka's clients .* refuse/,
    );
    assert.ok(!mirror.warnings[0]!.includes('123'), 'the password is not in the warning');
  });
});
