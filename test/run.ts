/**
 * `npm test`'s runner. Runs every compiled test file with Node's built-in runner: the unit tests
 * two at a time while the shared clusters (east, west) start, then the integration tests one at a
 * time against them; always stops the clusters: on success, failure, Ctrl-C or SIGTERM. If this process is killed outright, each broker's watchdog kills it within a second.
 *
 *   node dist/test/run.js [filter...]   run only test files whose path contains a filter
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterSpec, type ClusterSpec } from '../deploy/kafka/cluster-config.js';
import { startCluster, stopCluster } from '../deploy/kafka/cluster.js';
import { GENERATED_CHECKS, SHARED_CLUSTERS, TEST_CLUSTERS_ENV } from './harness/env.js';

const distRoot = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string): void => console.error(`[test] ${line}`);

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return findTests(path);
    return entry.endsWith('.test.js') ? [path] : [];
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const files = findTests(join(distRoot, 'test'))
    .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
    .sort();
  if (files.length === 0) {
    log(`no test files match ${filters.join(' ')}`);
    return 1;
  }

  // Generated code must be current: each generator re-derives its output and diffs the committed one.
  if (filters.length === 0) {
    for (const check of GENERATED_CHECKS) {
      log(`checking generated code is current: ${check.what}`);
      if ((await run(process.execPath, [join(distRoot, check.script), '--check'])) !== 0) return 1;
    }
  }

  const isIntegration = (f: string): boolean => f.includes(`${'/'}integration${'/'}`);
  const unitFiles = files.filter((f) => !isIntegration(f));
  const integrationFiles = files.filter(isIntegration);
  const specs: ClusterSpec[] = integrationFiles.length > 0 ? SHARED_CLUSTERS.map((n) => clusterSpec(n)) : [];
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= Promise.all(specs.map((s) => stopCluster(s, { graceMs: 5000 }))).then(() => undefined));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping clusters`);
      void stopAll().finally(() => process.exit(130));
    });
  }

  // A test stuck waiting fails after 20 minutes instead of holding CI until its own deadline.
  const testFiles = (concurrency: number, paths: string[], env: NodeJS.ProcessEnv): Promise<number> =>
    run(
      process.execPath,
      [
        '--enable-source-maps',
        '--test',
        `--test-concurrency=${concurrency}`,
        '--test-timeout=1200000',
        '--test-reporter=spec',
        ...paths,
      ],
      env,
    );
  const listed = (paths: string[]): string => paths.map((f) => relative(distRoot, f)).join(' ');

  try {
    // The shared clusters start while the unit tests run: neither needs the other.
    const clusters = Promise.all(
      specs.map((spec) => startCluster(spec, { fresh: true, ownerPid: process.pid, log })),
    );
    clusters.catch(() => undefined); // awaited below; a failure is reported there
    let unitCode = 0;
    if (unitFiles.length > 0) {
      // Unit tests share nothing (free ports, temporary directories): two at a time.
      log(`running ${unitFiles.length} unit test files: ${listed(unitFiles)}`);
      unitCode = await testFiles(2, unitFiles, process.env);
    }
    let integrationCode = 0;
    if (integrationFiles.length > 0) {
      const started = await clusters;
      const env = {
        ...process.env,
        [TEST_CLUSTERS_ENV]: JSON.stringify(
          Object.fromEntries(started.map((h) => [h.spec.name, h.bootstrap])),
        ),
      };
      // Integration tests share the clusters and the machine's two cores: one file at a time.
      log(`running ${integrationFiles.length} integration test files: ${listed(integrationFiles)}`);
      integrationCode = await testFiles(1, integrationFiles, env);
    }
    const verdict = (code: number, n: number): string =>
      n === 0 ? 'none' : code === 0 ? 'passed' : 'FAILED';
    log(
      `unit tests ${verdict(unitCode, unitFiles.length)}, integration tests ${verdict(integrationCode, integrationFiles.length)}`,
    );
    return unitCode !== 0 ? unitCode : integrationCode;
  } finally {
    await stopAll();
  }
}

process.exitCode = await main();
