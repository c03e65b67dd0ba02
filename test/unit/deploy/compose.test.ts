/**
 * deploy/compose/: the Compose file validated and normalised by a real Compose implementation
 * (Debian's docker-compose, `config`, which needs no engine); every kgw service's configuration
 * parsed by the product's own loader; the same topology as `npm start` (deploy/local-stack/), proven
 * by loading both with the loaders and comparing everything but addresses; Prometheus' configuration
 * and the alert rules it mounts checked by promtool.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadGatewayConfig } from '../../../gateway/config/load.js';
import { loadMirrorConfig } from '../../../mirror/config/config.js';
import { loadMonitorConfig } from '../../../monitor/config.js';
import { COMPOSE_ENV, composeConfigFiles, repoRoot, withEnv } from './stack-files.js';

const composeFile = join(repoRoot, 'deploy/compose/docker-compose.yml');
const composeDir = join(repoRoot, 'deploy/compose');

interface Service {
  image: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: (string | { source: string; target: string })[];
  ports?: (string | { published: number; target: number })[];
}

function composeConfig(env: Record<string, string>): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('docker-compose', ['-f', composeFile, 'config'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const rendered = composeConfig(COMPOSE_ENV);
const services = (rendered.status === 0 ? parse(rendered.stdout) : { services: {} }).services as Record<
  string,
  Service
>;
/** Host path of a service's mount at `target` (docker-compose prints sources as absolute paths). */
function mountSource(s: Service, target: string): string {
  for (const v of s.volumes ?? []) {
    const [src, dst] = typeof v === 'string' ? v.split(':') : [v.source, v.target];
    if (dst === target) return src!;
  }
  throw new Error(`no mount at ${target}`);
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose, and refuses to start without the admin password', () => {
    assert.equal(rendered.status, 0, rendered.stderr);
    const missing = composeConfig({ KGW_ADMIN_PASSWORD: '' });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /KGW_ADMIN_PASSWORD/);
  });

  it('runs both Kafka clusters from the official image at the version the tests use', () => {
    const pom = readFileSync(join(repoRoot, 'deploy/kafka/pom.xml'), 'utf8');
    const version = /<kafka\.version>([^<]+)</.exec(pom)![1];
    assert.deepEqual(Object.keys(services).sort(), [
      'gateway-east',
      'gateway-west',
      'grafana',
      'kafka-east',
      'kafka-west',
      'mirror',
      'monitor',
      'prometheus',
    ]);
    for (const name of ['kafka-east', 'kafka-west'])
      assert.equal(services[name]!.image, `apache/kafka:${version}`);
  });

  it("mounts only files that exist, and each kgw service's configuration parses with its own loader", () => {
    const products = { gateway: loadGatewayConfig, mirror: loadMirrorConfig, monitor: loadMonitorConfig };
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const src = typeof v === 'string' ? v.split(':')[0]! : v.source;
        // The certificates are made by `kgw certs` before the first start (git-ignored).
        if (!src.endsWith('/certs')) assert.ok(existsSync(src), `${name}: ${src} does not exist`);
      }
      if (s.image !== 'kgw:dev') continue;
      const [product, flag, path] = s.command as [keyof typeof products, string, string];
      assert.equal(flag, '--config');
      const configDir = mountSource(s, '/etc/kgw/config');
      const hostFile = join(configDir, path.replace('/etc/kgw/config/', ''));
      const env = Object.fromEntries(
        Object.entries(s.environment ?? {}).filter(([k]) => k.startsWith('KGW_') && k !== 'KGW_HEALTH_URL'),
      );
      withEnv(env, () => products[product](hostFile));
    }
  });

  it('probes each kgw container on its own readiness endpoint, and Prometheus scrapes each one', () => {
    const files = composeConfigFiles();
    const gw = withEnv(files.env, () => loadGatewayConfig(files.gatewayEast));
    const ports: Record<string, number> = {
      'gateway-east': gw.http.port,
      'gateway-west': withEnv(files.env, () => loadGatewayConfig(files.gatewayWest)).http.port,
      mirror: loadMirrorConfig(files.mirror).rest.port,
      monitor: loadMonitorConfig(files.monitor).listen.port,
    };
    const prometheus = parse(readFileSync(join(composeDir, 'prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((j) => j.static_configs.flatMap((c) => c.targets));
    for (const [name, port] of Object.entries(ports)) {
      assert.equal(services[name]!.environment?.KGW_HEALTH_URL, `http://127.0.0.1:${port}/readyz`, name);
      assert.ok(targets.includes(`${name}:${port}`), `Prometheus scrapes ${name}:${port}`);
    }
  });

  it('has Prometheus configuration and the mounted alert rules accepted by promtool', () => {
    const prom = services.prometheus!;
    const dir = mkdtempSync(join(tmpdir(), 'kgw-compose-prom-'));
    const rules = mountSource(prom, '/etc/prometheus/rules/kgw-alerts.yml');
    const config = readFileSync(mountSource(prom, '/etc/prometheus/prometheus.yml'), 'utf8').replace(
      '/etc/prometheus/rules/*.yml',
      rules,
    );
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const out = execFileSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], {
      encoding: 'utf8',
    });
    assert.match(out, /SUCCESS: \d+ rules found/);
    const grafana = services.grafana!;
    assert.equal(
      mountSource(grafana, '/etc/grafana/provisioning'),
      join(repoRoot, 'deploy/grafana/provisioning'),
    );
    assert.equal(
      mountSource(grafana, grafana.environment!.KGW_DASHBOARDS_DIR!),
      join(repoRoot, 'dashboards/generated'),
    );
    assert.equal(grafana.environment!.PROMETHEUS_URL, 'http://prometheus:9090');
  });
});

describe('the Compose stack has the topology of npm start (deploy/local-stack/)', () => {
  const local = join(repoRoot, 'deploy/local-stack');
  const files = composeConfigFiles();
  /** Replaces what differs by where things run (addresses, binds, file locations) with markers. */
  const normalise = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (key, v: unknown) => {
        if (v instanceof Map) return Object.fromEntries(v);
        if (
          ['bootstrap', 'bootstrapServers', 'bind', 'host', 'file', 'destination', 'seedFile'].includes(key)
        )
          return '<address or path>';
        // Every container serves HTTP on the same port; the host port is checked below.
        if (key === 'http') return { ...(v as object), port: '<container port>' };
        if (['cert', 'key', 'ca'].includes(key) && typeof v === 'string') return v.split('/').at(-1);
        if (key === 'advertisedHost') return '<advertised host>';
        return v;
      }),
    );

  for (const side of ['east', 'west'] as const) {
    it(`gateway ${side}: same listeners, ports, mechanisms, authorization`, () => {
      const ours = withEnv(files.env, () =>
        loadGatewayConfig(side === 'east' ? files.gatewayEast : files.gatewayWest),
      );
      assert.deepEqual(normalise(ours), normalise(loadGatewayConfig(join(local, `gateway-${side}.yaml`))));
      assert.equal(ours.listeners[0]!.bind, '0.0.0.0');
    });
  }

  it('publishes every port of npm start on the host', () => {
    const published = (name: string): number[] =>
      (services[name]!.ports ?? []).map((p) =>
        typeof p === 'string' ? Number(p.split(':').at(-2)) : Number(p.published),
      );
    for (const side of ['east', 'west'] as const) {
      const gw = loadGatewayConfig(join(local, `gateway-${side}.yaml`));
      const l = gw.listeners[0]!;
      const brokerPort = l.addressing.mode === 'port-per-broker' ? l.addressing.brokerPortBase + 1 : NaN;
      for (const port of [l.port, brokerPort, gw.http.port])
        assert.ok(published(`gateway-${side}`).includes(port), `gateway-${side} publishes ${port}`);
    }
    assert.ok(published('mirror').includes(loadMirrorConfig(join(local, 'mirror.yaml')).rest.port));
    assert.ok(published('monitor').includes(loadMonitorConfig(join(local, 'monitor.yaml')).listen.port));
  });

  it('mirror: same flows and settings', () => {
    assert.deepEqual(
      normalise(loadMirrorConfig(files.mirror)),
      normalise(loadMirrorConfig(join(local, 'mirror.yaml'))),
    );
  });

  it('monitor: same clusters, mirrors and probes', () => {
    assert.deepEqual(
      normalise(loadMonitorConfig(files.monitor)),
      normalise(loadMonitorConfig(join(local, 'monitor.yaml'))),
    );
  });
});
