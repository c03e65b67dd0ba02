/** An owner killed outright (kill -9, no clean-up code runs) must not leave its broker behind. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a broker dies with the process that owns it', { timeout: 120_000 }, async () => {
  const fixture = fileURLToPath(new URL('../../fixtures/own-cluster.js', import.meta.url));
  const owner = spawn(process.execPath, [fixture, 'orphan-check', '25092'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(owner.stdout, 'data')) as [Buffer];
  const { brokerPid } = JSON.parse(line.toString()) as { brokerPid: number };
  assert.ok(alive(brokerPid), 'broker is running while its owner lives');

  owner.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (alive(brokerPid) && Date.now() < deadline) await sleep(200);
  assert.ok(!alive(brokerPid), `broker ${brokerPid} outlived its owner`);
});
