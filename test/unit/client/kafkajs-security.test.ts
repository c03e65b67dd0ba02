/**
 * kafkajs gets the same TLS / SASL settings as the project's own connections, from both products'
 * configurations: mirror cluster keys (via connectionOptions) and the gateway's `upstream` section.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { kafkajsSecurity } from '../../../client/kafkajs/security.js';
import { connectionOptions } from '../../../mirror/kafka/native-cluster.js';
import type { ClusterConfig } from '../../../mirror/config/config.js';
import { parseGatewayConfig } from '../../../gateway/config/load.js';
import { kafkajsConfig, upstreamConnectionOptions } from '../../../gateway/upstream/client-options.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function mirrorCluster(over: Partial<ClusterConfig['connection']>): ClusterConfig {
  const connection = { bootstrap: ['127.0.0.1:9093'], ...over };
  return {
    alias: 'east',
    connection,
    bootstrapServers: connection.bootstrap,
    clientId: 'kgw-mirror',
    requestTimeoutMs: 30_000,
  };
}

test('mirror: SASL_SSL with a truststore and host-name check off', () => {
  const c = mirrorCluster({
    tls: { ca: PEM, verifyHostname: false },
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'mm2', password: 'pw' },
  });
  const { ssl, sasl } = kafkajsSecurity(connectionOptions(c, 'source'));
  assert.ok(ssl && typeof ssl === 'object');
  assert.deepEqual(ssl.ca, [PEM]);
  assert.equal(ssl.rejectUnauthorized, true);
  assert.equal(ssl.servername, undefined); // kafkajs then sends the host name
  assert.equal(typeof ssl.checkServerIdentity, 'function');
  assert.equal(ssl.checkServerIdentity!('other.host', {} as never), undefined);
  assert.deepEqual(sasl, { mechanism: 'scram-sha-512', username: 'mm2', password: 'pw' });
});

test('mirror: SSL with the system CAs and the host-name check on; plaintext has neither', () => {
  const { ssl, sasl } = kafkajsSecurity(
    connectionOptions(mirrorCluster({ tls: { verifyHostname: true } }), 'x'),
  );
  assert.deepEqual(ssl, { rejectUnauthorized: true });
  assert.equal(sasl, undefined);
  assert.deepEqual(kafkajsSecurity(connectionOptions(mirrorCluster({}), 'x')), {});
});

test('gateway upstream: CA and password files read, SNI name and insecureSkipVerify honoured', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kgw-upstream-'));
  writeFileSync(join(dir, 'ca.pem'), PEM);
  writeFileSync(join(dir, 'pw'), 'service-secret\n');
  const yaml = (tls: string): string => `
listeners:
  - { name: l, port: 9092, allowPlaintext: true, saslMechanisms: [PLAIN], addressing: { mode: port-per-broker, advertisedHost: 127.0.0.1, brokerPortBase: 40000 } }
upstream:
  bootstrap: [broker1:9093]
  tls: ${tls}
  sasl: { mechanism: SCRAM-SHA-512, username: kgw-gateway, passwordFile: pw }
`;
  const checked = parseGatewayConfig(
    yaml(`{ ca: ca.pem, serverName: kafka.internal }`),
    join(dir, 'gw.yaml'),
  );
  const options = upstreamConnectionOptions(checked.upstream, 'kgw-gateway-security');
  assert.deepEqual(options.tls, {
    ca: PEM,
    serverName: 'kafka.internal',
    rejectUnauthorized: true,
    checkServerIdentity: true,
  });
  assert.deepEqual(options.sasl, {
    mechanism: 'SCRAM-SHA-512',
    username: 'kgw-gateway',
    password: 'service-secret',
  });
  const k = kafkajsConfig(checked.upstream, 'kgw-gateway-audit');
  assert.deepEqual(k.brokers, ['broker1:9093']);
  assert.deepEqual(k.ssl, { ca: [PEM], servername: 'kafka.internal', rejectUnauthorized: true });
  assert.deepEqual(k.sasl, {
    mechanism: 'scram-sha-512',
    username: 'kgw-gateway',
    password: 'service-secret',
  });

  const insecure = parseGatewayConfig(yaml('{ insecureSkipVerify: true }'), join(dir, 'gw.yaml'));
  const ssl = kafkajsConfig(insecure.upstream, 'x').ssl;
  assert.ok(ssl && typeof ssl === 'object');
  assert.equal(ssl.rejectUnauthorized, false);
  assert.equal(ssl.ca, undefined);
});
