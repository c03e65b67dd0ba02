// The one logger factory: secrets redacted in both formats; JSON off a terminal, readable lines when
// asked (KGW_LOG_FORMAT) — checked on a real child process's standard output, as an operator sees it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { logFormat } from '../../../observability/logger.js';

const loggerModule = fileURLToPath(new URL('../../../observability/logger.js', import.meta.url));
const SECRETS = ['pw-top-secret', 'pw-nested', 'tok-abc', 'jaas-secret', 'pin-1234'];

function logFromChild(format?: 'json' | 'pretty'): string {
  const script = `
    const { createLogger } = await import(${JSON.stringify(loggerModule)});
    const log = createLogger({ name: 'kgw-test' });
    log.info({ password: 'pw-top-secret', upstream: { sasl: { password: 'pw-nested' } }, token: 'tok-abc',
      'sasl.jaas.config': 'ScramLoginModule required password="jaas-secret";', kms: { pin: 'pin-1234' },
      topic: 'orders' }, 'connected');`;
  const env = { ...process.env };
  delete env.KGW_LOG_FORMAT;
  if (format) env.KGW_LOG_FORMAT = format;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('off a terminal: one JSON object per line, secrets redacted, other fields kept', () => {
  const out = logFromChild();
  const line = JSON.parse(out.trim()) as Record<string, unknown>;
  assert.equal(line.msg, 'connected');
  assert.equal(line.name, 'kgw-test');
  assert.equal(line.topic, 'orders');
  assert.equal(line.password, '[redacted]');
  for (const s of SECRETS) assert.ok(!out.includes(s), `${s} leaked: ${out}`);
});

test('KGW_LOG_FORMAT=pretty: a readable line (level and message, no JSON), secrets still redacted', () => {
  const out = logFromChild('pretty');
  assert.ok(!out.trimStart().startsWith('{'), out);
  assert.match(out, /INFO/);
  assert.match(out, /connected/);
  assert.match(out, /orders/);
  for (const s of SECRETS) assert.ok(!out.includes(s), `${s} leaked: ${out}`);
});

test('format: an explicit choice wins, then KGW_LOG_FORMAT, then the terminal decides', () => {
  assert.equal(logFormat({ format: 'json' }, { KGW_LOG_FORMAT: 'pretty' }), 'json');
  assert.equal(logFormat({}, { KGW_LOG_FORMAT: 'pretty' }), 'pretty');
  assert.equal(logFormat({}, { KGW_LOG_FORMAT: 'json' }), 'json');
  const tty = process.stdout.isTTY ? 'pretty' : 'json';
  assert.equal(logFormat({}, {}), tty);
});
