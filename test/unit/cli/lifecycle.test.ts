// The one process lifecycle (cli/support/lifecycle.ts) on real child processes and real signals:
// ready, stop on SIGTERM/SIGINT with exit 0, exit 1 when stopping overruns its deadline or a second
// signal arrives while stopping.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const lifecycle = fileURLToPath(new URL('../../../cli/support/lifecycle.js', import.meta.url));
const logger = fileURLToPath(new URL('../../../observability/logger.js', import.meta.url));

/** A service whose stop() takes `stopMs`; returns the exit code and the log lines. */
async function run(stopMs: number, signals: NodeJS.Signals[], deadlineMs = 2000) {
  const script = `
    const { runService } = await import(${JSON.stringify(lifecycle)});
    const { createLogger } = await import(${JSON.stringify(logger)});
    const log = createLogger({ name: 'kgw-test', format: 'json' });
    await runService({ name: 'thing', log, stopDeadlineMs: ${deadlineMs},
      start: async () => {
        // What a real service holds open (its listening sockets); signal handlers alone do not.
        const serving = setInterval(() => {}, 1000);
        return { stop: () => new Promise((r) => setTimeout(r, ${stopMs})).then(() => clearInterval(serving)) };
      } });`;
  // Not a child of the test runner: NODE_TEST_CONTEXT would make Node treat it as one.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('thing ready')) await once(child.stdout, 'data');
  for (const s of signals) {
    child.kill(s);
    await new Promise((r) => setTimeout(r, 100));
  }
  const [code] = await exited;
  const msgs = out
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { msg: string }).msg);
  return { code, msgs };
}

test('SIGTERM: stopped cleanly, exit 0', async () => {
  const r = await run(50, ['SIGTERM']);
  assert.deepEqual(r.msgs, ['thing ready', 'thing stopping', 'thing stopped']);
  assert.equal(r.code, 0);
});

test('SIGINT (Ctrl-C) behaves like SIGTERM', async () => {
  const r = await run(50, ['SIGINT']);
  assert.equal(r.code, 0);
});

test('a stop that overruns its deadline exits 1, saying so', async () => {
  const r = await run(60_000, ['SIGTERM'], 300);
  assert.equal(r.code, 1);
  assert.match(r.msgs.at(-1)!, /did not stop within 300 ms/);
});

test('a second signal while stopping exits 1 at once', async () => {
  const r = await run(60_000, ['SIGTERM', 'SIGINT'], 30_000);
  assert.equal(r.code, 1);
  assert.match(r.msgs.at(-1)!, /second signal/);
});
