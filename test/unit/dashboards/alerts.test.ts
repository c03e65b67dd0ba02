import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ALL_ALERTS, runbookUrl } from '../../../dashboards/alerts/rules.js';
import { ALERTS_FILE, renderAlerts, repoRoot } from '../../../dashboards/outputs.js';
import { checkExpr } from './check-expr.js';

const root = repoRoot();
const TESTS_DIR = 'dashboards/alerts/tests';

const REQUIRED = [
  'ConsumerLagSecondsHigh',
  'ConsumerGroupStopped',
  'ConsumerGroupStalled',
  'ReplicationLatencyHigh',
  'MirrorHeartbeatMissing',
  'ProbeMessagesLost',
  'AuthenticationFailureSpike',
];

interface PromtoolTestFile {
  rule_files: string[];
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

function testFiles(): string[] {
  return readdirSync(join(root, TESTS_DIR))
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(TESTS_DIR, f));
}

describe('alert rules', () => {
  it('define every specified alert once', () => {
    const names = ALL_ALERTS.map((a) => a.alert);
    assert.equal(new Set(names).size, names.length, 'duplicate alert name');
    for (const name of REQUIRED) assert.ok(names.includes(name), `${name} missing`);
  });

  it('carry severity, summary, description and a runbook that exists', () => {
    const file = parse(renderAlerts()) as {
      groups: {
        rules: { alert: string; labels: Record<string, string>; annotations: Record<string, string> }[];
      }[];
    };
    const rules = file.groups.flatMap((g) => g.rules);
    assert.equal(rules.length, ALL_ALERTS.length);
    for (const rule of rules) {
      assert.ok(['critical', 'warning'].includes(rule.labels.severity ?? ''), `${rule.alert}: severity`);
      assert.deepEqual(Object.keys(rule.annotations).sort(), ['description', 'runbook_url', 'summary']);
      assert.equal(rule.annotations.runbook_url, runbookUrl(rule.alert));
      const runbook = join(root, rule.annotations.runbook_url ?? '');
      assert.ok(existsSync(runbook), `${rule.alert}: ${runbook} missing`);
      const text = readFileSync(runbook, 'utf8');
      assert.ok(text.startsWith(`# ${rule.alert}`), `${rule.alert}: runbook title`);
      for (const section of ['## What it means', '## How to check', '## What to do']) {
        assert.ok(text.includes(section), `${rule.alert}: runbook lacks "${section}"`);
      }
    }
  });

  it('query only catalogued metrics and labels', () => {
    const problems = ALL_ALERTS.flatMap((a) => checkExpr(a.alert, a.expr).problems);
    assert.deepEqual(problems, []);
  });

  it('have promtool tests for each alert, both firing and not firing', () => {
    const firing = new Set<string>();
    const quiet = new Set<string>();
    for (const path of testFiles()) {
      const doc = parse(readFileSync(join(root, path), 'utf8')) as PromtoolTestFile;
      assert.deepEqual(doc.rule_files, ['../../generated/alerts.yml'], `${path}: rule_files`);
      for (const test of doc.tests) {
        for (const case_ of test.alert_rule_test ?? []) {
          ((case_.exp_alerts ?? []).length > 0 ? firing : quiet).add(case_.alertname);
        }
      }
    }
    for (const { alert } of ALL_ALERTS) {
      assert.ok(firing.has(alert), `${alert}: no promtool case where it fires`);
      assert.ok(quiet.has(alert), `${alert}: no promtool case where it stays quiet`);
    }
  });
});

describe('promtool', () => {
  // CI installs Debian's prometheus package; a missing promtool is a failure, never a skip.
  const promtool = (...args: string[]) => spawnSync('promtool', args, { cwd: root, encoding: 'utf8' });

  it('is installed', () => {
    const version = promtool('--version');
    assert.equal(
      version.error,
      undefined,
      `promtool not runnable (${String(version.error)}): apt-get install prometheus`,
    );
    assert.equal(version.status, 0, version.stderr);
  });

  it('accepts the generated rule file', () => {
    const result = promtool('check', 'rules', ALERTS_FILE);
    assert.equal(result.error, undefined, String(result.error));
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  });

  it('passes the alert unit tests', () => {
    const result = promtool('test', 'rules', ...testFiles());
    assert.equal(result.error, undefined, String(result.error));
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  });
});
