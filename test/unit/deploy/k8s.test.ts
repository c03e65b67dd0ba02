/**
 * deploy/k8s/: every overlay rendered by `kubectl kustomize`, and every rendered object checked
 * against the official Kubernetes Java model (deploy/k8s/validator/ValidateManifests.java: unknown
 * fields, required fields, types). Then the wiring a schema cannot see: each container's config file
 * comes from a ConfigMap of the render and parses with the product's own loader; probes and
 * Prometheus annotations name the port the configuration serves HTTP on; Services and the
 * PodDisruptionBudget select the right pods; Secrets are empty placeholders the gateway refuses.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { kgwHome } from '../../../deploy/kafka/runtime.js';
import { loadGatewayConfig } from '../../../gateway/config/load.js';
import { seedRecords } from '../../../gateway/credentials/seed.js';
import { loadMirrorConfig } from '../../../mirror/config/config.js';
import { loadMonitorConfig } from '../../../monitor/config.js';
import { CredentialStore } from '../../../security/credentials/index.js';
import { repoRoot, withEnv } from './stack-files.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered Kubernetes objects are plain JSON */
type K8sObject = any;

const k8s = join(repoRoot, 'deploy/k8s');
const work = mkdtempSync(join(tmpdir(), 'kgw-k8s-'));
const libs = join(kgwHome(), 'k8s-model', 'libs');

function render(overlay: string): K8sObject[] {
  const r = spawnSync('kubectl', ['kustomize', join(k8s, 'overlays', overlay)], { encoding: 'utf8' });
  assert.equal(r.status, 0, `kubectl kustomize ${overlay}: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject)
    .filter(Boolean);
}

/** ValidateManifests' verdict per object: "OK Kind/name" or "ERROR Kind/name: reason". */
function validate(objects: K8sObject[]): string[] {
  const r = spawnSync(
    'java',
    ['-Xmx256m', '-cp', `${libs}/*:${join(work, 'classes')}`, 'ValidateManifests'],
    {
      input: JSON.stringify(objects),
      encoding: 'utf8',
    },
  );
  assert.ok(r.stdout, r.stderr);
  return r.stdout.trim().split('\n');
}

const find = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

before(() => {
  execFileSync('javac', [
    '-cp',
    `${libs}/*`,
    '-d',
    join(work, 'classes'),
    join(k8s, 'validator/ValidateManifests.java'),
  ]);
});

for (const overlay of ['one-dc', 'two-dc']) {
  describe(`Kubernetes overlay ${overlay}`, () => {
    let objects: K8sObject[];
    before(() => (objects = render(overlay)));

    it('renders objects that the Kubernetes model accepts', () => {
      const verdicts = validate(objects);
      assert.equal(verdicts.length, objects.length);
      assert.deepEqual(
        verdicts.filter((v) => !v.startsWith('OK ')),
        [],
      );
    });

    it('is rejected by the same check when a field is misspelt, missing or mistyped', () => {
      const deployment = structuredClone(find(objects, 'Deployment')[0]);
      const container = deployment.spec.template.spec.containers[0];
      const broken = [
        { ...deployment, spec: { ...deployment.spec, replicas: 'two' } },
        (() => {
          const d = structuredClone(deployment);
          d.spec.template.spec.containers[0].readinesProbe = container.readinessProbe;
          return d;
        })(),
        (() => {
          const d = structuredClone(deployment);
          delete d.spec.template.spec.containers[0].name;
          return d;
        })(),
      ];
      const verdicts = validate(broken);
      assert.equal(verdicts.filter((v) => v.startsWith('ERROR ')).length, 3, verdicts.join('\n'));
      assert.match(verdicts[1]!, /readinesProbe/);
    });

    it('runs each product with a configuration from the render that its own loader accepts, probed and scraped on its HTTP port', () => {
      const deployments = find(objects, 'Deployment');
      assert.deepEqual(
        [...new Set(deployments.map((d) => d.spec.template.spec.containers[0].args[0]))].sort(),
        overlay === 'one-dc' ? ['gateway', 'monitor'] : ['gateway', 'mirror', 'monitor'],
      );
      for (const d of deployments) {
        const pod = d.spec.template.spec;
        const c = pod.containers[0];
        const [product, flag, path] = c.args as ['gateway' | 'mirror' | 'monitor', string, string];
        assert.equal(flag, '--config');
        const mount = c.volumeMounts.find((m: K8sObject) => path.startsWith(`${m.mountPath}/`));
        const volume = pod.volumes.find((v: K8sObject) => v.name === mount.name);
        const configMap = find(objects, 'ConfigMap').find((m) => m.metadata.name === volume.configMap.name);
        assert.ok(configMap, `${d.metadata.name}: ConfigMap ${volume.configMap.name} is in the render`);
        const dir = join(work, overlay, d.metadata.name);
        mkdirSync(dir, { recursive: true });
        for (const [file, text] of Object.entries(configMap.data as Record<string, string>))
          writeFileSync(join(dir, file), text);
        const configFile = join(dir, path.slice(mount.mountPath.length + 1));
        // Each Secret-backed variable gets a test value; the Secrets themselves are placeholders.
        const env: Record<string, string> = {};
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          assert.ok(ref, `${e.name} comes from a Secret`);
          const secret = find(objects, 'Secret').find((s) => s.metadata.name === ref.name);
          assert.ok(secret, `${d.metadata.name}: Secret ${ref.name} is in the render`);
          assert.ok(ref.key in secret.stringData, `Secret ${ref.name} has ${ref.key}`);
          env[e.name] = 'k8s-test-password';
        }
        const httpPort = withEnv(env, () => {
          if (product === 'gateway') {
            const cfg = loadGatewayConfig(configFile);
            seedRecords(cfg.credentials.seedFile!, new CredentialStore(), 4096);
            return cfg.http.port;
          }
          if (product === 'mirror') return loadMirrorConfig(configFile).rest.port;
          return loadMonitorConfig(configFile).listen.port;
        });
        const http = c.ports.find((p: K8sObject) => p.name === 'http');
        assert.equal(http.containerPort, httpPort, `${d.metadata.name}: http port`);
        assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'http' });
        assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'http' });
        const annotations = d.spec.template.metadata.annotations;
        assert.equal(annotations['prometheus.io/scrape'], 'true');
        assert.equal(annotations['prometheus.io/port'], String(httpPort));
        assert.notEqual(pod.securityContext.runAsUser, 0);
        assert.equal(pod.securityContext.runAsNonRoot, true);
      }
    });

    it('selects the right pods from every Service and PodDisruptionBudget', () => {
      const pods = find(objects, 'Deployment').map((d) => d.spec.template);
      for (const d of find(objects, 'Deployment'))
        assert.ok(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels), d.metadata.name);
      for (const s of [...find(objects, 'Service'), ...find(objects, 'PodDisruptionBudget')]) {
        const selector = s.kind === 'Service' ? s.spec.selector : s.spec.selector.matchLabels;
        const selected = pods.filter((p) => matches(selector, p.metadata.labels));
        assert.equal(selected.length, 1, `${s.kind} ${s.metadata.name} selects one workload`);
        if (s.kind === 'Service') {
          const ports = selected[0].spec.containers[0].ports.map((p: K8sObject) => p.name);
          for (const p of s.spec.ports)
            assert.ok(ports.includes(p.targetPort), `${s.metadata.name}: ${p.targetPort}`);
        }
      }
      const gateways = find(objects, 'Deployment').filter(
        (d) => d.spec.template.spec.containers[0].args[0] === 'gateway',
      );
      assert.equal(find(objects, 'PodDisruptionBudget').length, gateways.length);
    });

    it('holds only empty placeholder Secrets, which the gateway refuses', () => {
      const secrets = find(objects, 'Secret');
      assert.ok(secrets.length > 0);
      for (const s of secrets) {
        for (const v of Object.values({ ...s.data, ...s.stringData })) assert.equal(v, '', s.metadata.name);
      }
      const seed = join(work, `${overlay}-seed.yaml`);
      writeFileSync(seed, 'users:\n  - name: admin\n    password: ${env:KGW_ADMIN_PASSWORD}\n');
      assert.throws(
        () => withEnv({ KGW_ADMIN_PASSWORD: '' }, () => seedRecords(seed, new CredentialStore(), 4096)),
        /-seed\.yaml:3: users\[0\]\.password: Too small/,
      );
    });
  });
}
