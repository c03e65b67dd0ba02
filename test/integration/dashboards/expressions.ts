/**
 * Every PromQL expression the product ships: dashboard panels, template-variable queries (as
 * `count by`), and each alert rule's query part (threshold removed: an alert that does not fire
 * returns nothing, but its query must have data). Shared by the real-Prometheus tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findMetric } from '../../../observability/metrics/index.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const generatedDir = join(repoRoot, 'dashboards', 'generated');

export interface Expr {
  readonly where: string;
  readonly expr: string;
}

export function dashboardExprs(): Expr[] {
  const out: Expr[] = [];
  for (const file of readdirSync(generatedDir).filter((f) => f.endsWith('.json'))) {
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (typeof o.expr === 'string')
          out.push({ where: `${file} ${String(o.title ?? path)}`, expr: o.expr });
        // Template variables: label_values(metric{...}, label) must find series with that label.
        if (o.type === 'query' && typeof o.query === 'string' && o.query.startsWith('label_values(')) {
          const m = /^label_values\((.*),\s*(\w+)\)$/.exec(o.query);
          if (m)
            out.push({ where: `${file} variable ${String(o.name)}`, expr: `count by (${m[2]}) (${m[1]})` });
        }
        for (const [k, v] of Object.entries(o)) if (k !== 'expr') walk(v, `${path}.${k}`);
      }
    };
    walk(JSON.parse(readFileSync(join(generatedDir, file), 'utf8')), '');
  }
  const alerts = parseYaml(readFileSync(join(generatedDir, 'alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  for (const g of alerts.groups) {
    for (const r of g.rules) {
      // An alert expression returns nothing while it does not fire; its query part must have data.
      const query = r.expr.replace(/\s*(?:[<>]=?|[!=]=)\s*-?[0-9.]+(?:e[+-]?\d+)?/g, '');
      out.push({ where: `alerts.yml ${r.alert}`, expr: query });
    }
  }
  return out;
}

/** Grafana variables → values: the cluster is pinned, everything else matches any value. */
export function substitute(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval/g, '10s')
    .replace(/\$__range/g, '1m')
    .replace(/(\w+)\s*(=~|=)\s*"\$\{?(\w+)\}?"/g, (_m, label: string, _op, v: string) =>
      v === 'cluster' ? `${label}="east"` : `${label}=~".+"`,
    );
}

export function components(expr: string): Set<string> {
  const out = new Set<string>();
  for (const token of expr.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? []) {
    const def = findMetric(token);
    if (def) out.add(def.component);
  }
  return out;
}
