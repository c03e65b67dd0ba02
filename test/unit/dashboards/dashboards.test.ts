import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dashboards } from '../../../dashboards/outputs.js';
import { checkExpr } from './check-expr.js';
import { parseLabelValues, scanPromQL } from './promql-scan.js';

// The JSON as Grafana will load it, not the SDK's typed model: that is what has to be right.
interface PanelJson {
  type: string;
  id?: number;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  gridPos?: { w: number; h: number; x: number; y: number };
  targets?: { expr?: string; refId?: string; legendFormat?: string; datasource?: { uid?: string } }[];
}
interface VariableJson {
  type: string;
  name: string;
  query?: unknown;
  datasource?: { uid?: string };
}
interface DashboardJson {
  uid: string;
  title: string;
  panels: PanelJson[];
  templating: { list: VariableJson[] };
}

const built = dashboards().map((d) => ({
  path: d.path,
  json: JSON.parse(JSON.stringify(d.model)) as DashboardJson,
}));

const GRAFANA_UNITS = new Set(['s', 'ms', 'Bps', 'reqps', 'ops', 'short', 'none']);

function queryPanels(d: DashboardJson): PanelJson[] {
  return d.panels.filter((p) => p.type !== 'row');
}

describe('dashboards', () => {
  it('are the three specified dashboards, with unique uids', () => {
    assert.deepEqual(built.map((d) => d.json.title).sort(), [
      'Gateway: traffic and security',
      'On-call: consumer lag',
      'Replication across data centres',
    ]);
    assert.equal(new Set(built.map((d) => d.json.uid)).size, built.length);
  });

  it('have the template variables on-call needs', () => {
    const expected: Record<string, string[]> = {
      'On-call: consumer lag': ['datasource', 'cluster', 'group', 'topic'],
      'Replication across data centres': ['datasource', 'source', 'target', 'topic', 'group'],
      'Gateway: traffic and security': ['datasource', 'instance', 'listener', 'request', 'topic'],
    };
    for (const { json } of built) {
      assert.deepEqual(
        json.templating.list.map((v) => v.name),
        expected[json.title],
        json.title,
      );
    }
  });

  it('set a unit, a description and the datasource variable on every panel', () => {
    for (const { json } of built) {
      for (const panel of queryPanels(json)) {
        const where = `${json.title} / ${panel.title ?? '?'}`;
        const unit = panel.fieldConfig?.defaults?.unit;
        assert.ok(unit !== undefined && GRAFANA_UNITS.has(unit), `${where}: unit ${String(unit)}`);
        assert.ok((panel.description ?? '').length > 10, `${where}: description`);
        assert.equal(panel.datasource?.uid, '${datasource}', `${where}: datasource`);
        const targets = panel.targets ?? [];
        assert.ok(targets.length > 0, `${where}: no queries`);
        assert.equal(new Set(targets.map((t) => t.refId)).size, targets.length, `${where}: duplicate refId`);
        for (const t of targets)
          assert.equal(t.datasource?.uid, '${datasource}', `${where}: query datasource`);
      }
    }
  });

  it('lay panels out inside the 24-column grid with unique ids', () => {
    for (const { json } of built) {
      const ids = json.panels.map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, `${json.title}: duplicate panel ids`);
      for (const panel of json.panels) {
        assert.ok(panel.gridPos !== undefined, `${json.title} / ${panel.title ?? '?'}: gridPos`);
        assert.ok(
          panel.gridPos.x + panel.gridPos.w <= 24,
          `${json.title} / ${panel.title ?? '?'}: overflows`,
        );
      }
    }
  });

  it('query only catalogued metrics and labels, and only defined variables', () => {
    const problems: string[] = [];
    for (const { json } of built) {
      const defined = new Set(json.templating.list.map((v) => v.name));
      const checkVariables = (where: string, used: readonly string[]): void => {
        for (const name of used) {
          if (!name.startsWith('__') && !defined.has(name))
            problems.push(`${where}: undefined variable $${name}`);
        }
      };
      for (const panel of queryPanels(json)) {
        for (const t of panel.targets ?? []) {
          const where = `${json.title} / ${panel.title ?? '?'} / ${t.refId ?? '?'}`;
          const expr = t.expr ?? '';
          const result = checkExpr(where, expr);
          problems.push(...result.problems);
          checkVariables(where, scanPromQL(expr).variables);
          // legend {{label}} must be a label the selected metrics carry
          for (const m of (t.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
            if (!result.availableLabels.has(m[1] as string))
              problems.push(`${where}: legend uses unknown label ${m[1]}`);
          }
        }
      }
      for (const v of json.templating.list) {
        if (v.type !== 'query') continue;
        const where = `${json.title} / $${v.name}`;
        assert.equal(v.datasource?.uid, '${datasource}', `${where}: datasource`);
        const { selector, label } = parseLabelValues(String(v.query));
        const result = checkExpr(where, selector);
        problems.push(...result.problems);
        if (!result.availableLabels.has(label))
          problems.push(`${where}: ${label} is not a label of ${selector}`);
        checkVariables(where, scanPromQL(selector).variables);
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe('catalogue check of PromQL', () => {
  it('catches unknown metrics, labels, functions and grouping labels', () => {
    const bad = checkExpr(
      'test',
      'sum by (cluster) (rate(kafka_consumergroup_lagg{cluster="a"}[5m])) + ' +
        'max by (nope) (kafka_consumergroup_group_lag_seconds{cluster="a"}) + ' +
        'histogram_quantil(0.9, kgw_mirror_replication_latency_seconds)',
    );
    assert.deepEqual(bad.problems, [
      'test: metric kafka_consumergroup_lagg is not in observability/metrics/',
      'test: kafka_consumergroup_group_lag_seconds has no label cluster',
      'test: histogram kgw_mirror_replication_latency_seconds selected without _bucket/_sum/_count',
      // the misspelt metric contributes no labels, so its own `by (cluster)` is flagged too
      'test: groups by cluster, which no selected metric has',
      'test: groups by nope, which no selected metric has',
      'test: unknown PromQL function histogram_quantil',
    ]);
  });

  it('accepts histogram series, numbers, durations, strings and Grafana variables', () => {
    const ok = checkExpr(
      'test',
      'histogram_quantile(0.99, sum by (le, source) (rate(kgw_mirror_replication_latency_seconds_bucket' +
        '{source=~"$source", target!="a,b}"}[$__rate_interval]))) > 1e-3 or vector(0) offset 5m',
    );
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(scanPromQL('x{a=~"$source"}[${__range}]').variables, ['source', '__range']);
  });
});
