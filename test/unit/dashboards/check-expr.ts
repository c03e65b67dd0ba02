// Checks one PromQL expression against the metric catalogue: every metric it selects exists, every
// label it matches on or groups by belongs to one of those metrics, every function is real PromQL.
// Returns problems as strings so a test can report all of them at once.

import { ALL_METRICS, findMetric, type MetricDef } from '../../../observability/metrics/index.js';
import { PROMQL_FUNCTIONS, scanPromQL } from './promql-scan.js';

/** Labels Prometheus itself puts on series: scrape target labels. */
const TARGET_LABELS = ['job', 'instance'];

export interface ExprCheck {
  readonly problems: string[];
  readonly metrics: MetricDef[];
  /** Every label any selected metric can carry, plus target labels (and `le` for buckets). */
  readonly availableLabels: Set<string>;
}

export function checkExpr(where: string, expr: string): ExprCheck {
  const problems: string[] = [];
  const metrics: MetricDef[] = [];
  const availableLabels = new Set(TARGET_LABELS);
  let scan;
  try {
    scan = scanPromQL(expr);
  } catch (err) {
    return { problems: [`${where}: ${(err as Error).message}`], metrics, availableLabels };
  }
  if (scan.selectors.length === 0) problems.push(`${where}: selects no metric: ${expr}`);
  for (const selector of scan.selectors) {
    // a histogram's own name is not a series, but selecting it is a mistake worth naming
    const def = findMetric(selector.metric) ?? ALL_METRICS.find((d) => d.name === selector.metric);
    if (def === undefined) {
      problems.push(`${where}: metric ${selector.metric} is not in observability/metrics/`);
      continue;
    }
    metrics.push(def);
    const allowed = new Set([...def.labelNames, ...TARGET_LABELS]);
    if (selector.metric.endsWith('_bucket')) allowed.add('le');
    for (const label of def.labelNames) availableLabels.add(label);
    if (def.type === 'histogram' && selector.metric.endsWith('_bucket')) availableLabels.add('le');
    for (const label of selector.labels) {
      if (!allowed.has(label)) problems.push(`${where}: ${selector.metric} has no label ${label}`);
    }
    if (def.type === 'histogram' && selector.metric === def.name) {
      problems.push(`${where}: histogram ${def.name} selected without _bucket/_sum/_count`);
    }
  }
  for (const label of scan.groupingLabels) {
    if (!availableLabels.has(label))
      problems.push(`${where}: groups by ${label}, which no selected metric has`);
  }
  for (const fn of scan.functions) {
    if (!PROMQL_FUNCTIONS.has(fn)) problems.push(`${where}: unknown PromQL function ${fn}`);
  }
  return { problems, metrics, availableLabels };
}
