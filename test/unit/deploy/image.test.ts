/**
 * The container image (Dockerfile, .dockerignore, deploy/image/), checked without a Docker engine:
 * linted with dockerfile-utils (the Dockerfile linter of VS Code's Docker extension); its stages are
 * carried out on this machine (dockerfile-stages.ts), production dependencies installed by the
 * deps stage's own `npm ci`, the build stage's own `tsc` run on the sources it copies, and then
 * every product's command started from the runtime stage's tree through the `kgw` link its RUN line
 * makes; the HEALTHCHECK script is run against a live HTTP endpoint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validate } from 'dockerfile-utils';
import { buildStages, contextAdmits, parseStages, sh } from './dockerfile-stages.js';
import { composeConfigFiles, repoRoot as repo } from './stack-files.js';

const dockerfile = readFileSync(join(repo, 'Dockerfile'), 'utf8');
const { stages } = parseStages(dockerfile);
const runtime = stages.at(-1)!;
const only = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);

describe('Dockerfile', () => {
  it('has no lint findings', () => {
    const findings = validate(dockerfile).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    assert.deepEqual(findings, []);
  });

  it('is multi-stage on Node 20, runs as a non-root user, with entrypoint kgw and a HEALTHCHECK', () => {
    assert.deepEqual(
      stages.map((s) => s.name),
      ['deps', 'build', 'runtime'],
    );
    for (const s of stages) assert.match(s.image, /^node:20-[a-z]+-slim$/, `${s.name} base image`);
    const user = only('USER').at(-1)?.args[0];
    assert.ok(user && !['root', '0', '0:0'].includes(user), `runtime user is ${user}`);
    assert.deepEqual(JSON.parse(only('ENTRYPOINT').at(-1)!.text), ['kgw']);
    assert.match(only('HEALTHCHECK').at(-1)!.text, /CMD \["node", "\/app\/healthcheck\.mjs"\]/);
    // Nothing secret is set in the image's environment.
    for (const env of only('ENV')) assert.doesNotMatch(env.text, /password|secret|token/i);
  });

  it('.dockerignore admits the sources and keeps keys, certificates, builds and git out', () => {
    for (const rel of [
      'package-lock.json',
      'gateway/gateway.ts',
      'deploy/kafka/cluster.ts',
      'deploy/image/healthcheck.mjs',
    ])
      assert.ok(contextAdmits(repo, rel), `${rel} must reach the build`);
    for (const rel of [
      '.git/config',
      'node_modules/kafkajs/package.json',
      'dist/cli/kgw.js',
      'deploy/local-stack/certs/ca.key.pem',
      'deploy/local-stack/admin-seed.yaml',
      'security/pki/certs/server.key.pem',
      'gateway/server.p12',
      'test/unit/security/fixtures/x.pem',
      'deploy/compose/secrets/admin-password',
    ])
      assert.ok(!contextAdmits(repo, rel), `${rel} must not reach the build`);
  });
});

describe('image stages carried out on a checkout', { timeout: 300_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'kgw-image-'));
  let app: string;
  let bin: string;
  before(async () => {
    const roots = await buildStages(dockerfile, {
      context: repo,
      out,
      runs: {
        // Verbatim, with a private npm cache so `npm cache clean` only cleans that one.
        'npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force': ({
          workdir,
          command,
        }) =>
          sh(command, workdir, { ...process.env, npm_config_cache: join(out, 'npm-cache') }).then(
            () => undefined,
          ),
        // The full install is the same lock file as this checkout's: reuse its node_modules.
        'npm ci --ignore-scripts --no-audit --no-fund': async ({ workdir }) =>
          symlinkSync(join(repo, 'node_modules'), join(workdir, 'node_modules')),
        'npx tsc -p tsconfig.json': ({ workdir, command }) => sh(command, workdir).then(() => undefined),
        // Absolute paths rewritten into the stage's root; ownership cannot be given away here.
        'chmod 0755 dist/cli/kgw.js && ln -s /app/dist/cli/kgw.js /usr/local/bin/kgw && mkdir -p /etc/kgw /var/lib/kgw && chown node:node /var/lib/kgw':
          ({ stageRoot, workdir, command }) =>
            sh(
              command
                .replace(/(^|\s)\//g, `$1${stageRoot}/`)
                .replace(/&& chown \S+ \S+$/, '')
                .replace('ln -s', `mkdir -p ${stageRoot}/usr/local/bin && ln -s`),
              workdir,
            ).then(() => undefined),
      },
    });
    const root = roots.get('runtime')!;
    app = join(root, 'app');
    bin = join(root, 'usr/local/bin');
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  const kgw = (args: string, env: NodeJS.ProcessEnv = {}) =>
    sh(`kgw ${args}`, tmpdir(), {
      ...process.env,
      ...env,
      PATH: `${bin}:${process.env.PATH}`,
      NODE_ENV: 'production',
    });

  it('has production dependencies only, and no tests, benchmarks or TypeScript sources', async () => {
    assert.equal(readlinkSync(join(bin, 'kgw')), join(app, 'dist/cli/kgw.js'));
    const listing = await sh('find . -path ./node_modules -prune -o -type f -print', app);
    assert.doesNotMatch(listing, /\.ts$|^\.\/dist\/(test|bench|dashboards)\//m);
    const modules = await sh('ls node_modules node_modules/.bin 2>/dev/null || true', app);
    for (const dev of ['typescript', 'eslint', 'prettier', 'fast-check', 'dockerfile-utils'])
      assert.doesNotMatch(modules, new RegExp(`^${dev}$`, 'm'), `${dev} is a dev dependency`);
  });

  it('starts every product command from the runtime tree', async () => {
    assert.match(await kgw('--help'), /gateway[\s\S]*mirror[\s\S]*monitor/);
    assert.match(await kgw('gateway --help'), /--config <file>/);
    // The Compose stack's own configuration files, as the containers get them.
    const files = composeConfigFiles();
    assert.match(await kgw(`mirror --check --config ${files.mirror}`, files.env), /east->west: enabled/);
    assert.match(
      await kgw(`monitor --check --config ${files.monitor}`, files.env),
      /OK \(2 clusters, 2 mirror flows\)/,
    );
  });

  it('HEALTHCHECK exits 0 on a ready endpoint and 1 on 503 or no answer', async () => {
    let status = 503;
    const server = createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
    const check = (u: string) =>
      sh(`node ${join(app, 'healthcheck.mjs')}`, app, { ...process.env, KGW_HEALTH_URL: u }).then(
        () => 0,
        () => 1,
      );
    try {
      assert.equal(await check(url), 1);
      status = 200;
      assert.equal(await check(url), 0);
    } finally {
      await new Promise((r) => server.close(r));
    }
    assert.equal(await check(url), 1);
  });
});
