import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileFilter, ConfigError, parseMonitorConfig } from '../../../monitor/config.js';

describe('monitor config', () => {
  test('defaults', () => {
    const c = parseMonitorConfig('clusters:\n  - name: east\n    bootstrap: 127.0.0.1:19092\n', 'm.yaml');
    assert.deepEqual(c.clusters[0]!.bootstrap, ['127.0.0.1:19092']);
    assert.equal(c.collection.intervalSeconds, 10);
    assert.equal(c.status.windowSize, 10);
    assert.equal(c.probes.enabled, false);
    assert.ok(!compileFilter(c.groups)('kgw-monitor-end-to-end'));
    assert.ok(compileFilter(c.groups)('orders-service'));
    assert.ok(!compileFilter(c.topics)('__consumer_offsets'));
  });

  test('errors name file, line, path and problem', () => {
    const text = [
      'clusters:',
      '  - name: east',
      '    bootstrap: [nope]',
      'collection:',
      '  intervalSeconds: -1',
      '',
    ].join('\n');
    assert.throws(
      () => parseMonitorConfig(text, 'm.yaml'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /^m\.yaml:3: clusters\[0\]\.bootstrap/m);
        assert.match(err.message, /^m\.yaml:5: collection\.intervalSeconds: .*/m);
        return true;
      },
    );
  });

  test('unknown keys, bad regexes, unknown mirror clusters and YAML syntax errors', () => {
    const bad = (text: string, re: RegExp) => assert.throws(() => parseMonitorConfig(text, 'x.yaml'), re);
    bad(
      'clusters:\n  - name: a\n    bootstrap: h:1\n    colour: red\n',
      /x\.yaml:2: clusters\[0\]: .*colour/,
    );
    bad(
      'clusters:\n  - name: a\n    bootstrap: h:1\ngroups:\n  include: ["("]\n',
      /groups\.include\[0\]: not a valid regular expression/,
    );
    bad(
      'clusters:\n  - name: a\n    bootstrap: h:1\nmirrors:\n  - source: a\n    target: b\n',
      /mirrors\[0\]\.target: unknown cluster "b"/,
    );
    bad('clusters: [\n', /x\.yaml:\d+: invalid YAML/);
    bad('listen: {}\n', /x\.yaml:1: clusters: /);
  });
});
