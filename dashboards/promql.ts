// Typed PromQL selectors built from the metric catalogue.
//
// Dashboards and alert rules never spell a metric name: they call sel()/bucket() with a catalogue
// constant, and the label keys of the matcher object are checked against that metric's labels at
// compile time (plus the target labels Prometheus adds); NoInfer stops TypeScript from widening the
// label type to whatever the caller wrote. A renamed metric or label therefore breaks
// the build instead of silently emptying a panel. The unit tests re-check the rendered strings.

import type { MetricDef } from '../observability/metrics/index.js';

/** Labels Prometheus attaches to every scraped series from the target. */
export type TargetLabel = 'job' | 'instance';

/** A matcher value: a plain string is an equality match; use re()/ne()/nre() for the others. */
export type MatcherValue = string | { readonly op: '=~' | '!=' | '!~'; readonly value: string };

export function re(value: string): MatcherValue {
  return { op: '=~', value };
}
export function ne(value: string): MatcherValue {
  return { op: '!=', value };
}
export function nre(value: string): MatcherValue {
  return { op: '!~', value };
}

export type Matchers<L extends string> = Partial<Record<L | TargetLabel, MatcherValue>>;

function quote(value: string): string {
  return JSON.stringify(value);
}

function renderMatchers(matchers: Partial<Record<string, MatcherValue>>): string {
  const parts: string[] = [];
  for (const [label, value] of Object.entries(matchers)) {
    if (value === undefined) continue;
    if (typeof value === 'string') parts.push(`${label}=${quote(value)}`);
    else parts.push(`${label}${value.op}${quote(value.value)}`);
  }
  return parts.length === 0 ? '' : `{${parts.join(', ')}}`;
}

/** `name{matchers}` for a counter or gauge. */
export function sel<L extends string>(
  def: MetricDef<string, L>,
  matchers: Matchers<NoInfer<L>> = {},
): string {
  if (def.type === 'histogram') {
    throw new Error(`${def.name} is a histogram: select _bucket/_sum/_count with bucket()/hsum()/hcount()`);
  }
  return def.name + renderMatchers(matchers);
}

function histogramSeries<L extends string>(
  def: MetricDef<string, L>,
  suffix: '_bucket' | '_sum' | '_count',
  matchers: Matchers<NoInfer<L>>,
): string {
  if (def.type !== 'histogram') throw new Error(`${def.name} is not a histogram`);
  return def.name + suffix + renderMatchers(matchers);
}

export function bucket<L extends string>(
  def: MetricDef<string, L>,
  matchers: Matchers<NoInfer<L>> = {},
): string {
  return histogramSeries(def, '_bucket', matchers);
}
export function hsum<L extends string>(
  def: MetricDef<string, L>,
  matchers: Matchers<NoInfer<L>> = {},
): string {
  return histogramSeries(def, '_sum', matchers);
}
export function hcount<L extends string>(
  def: MetricDef<string, L>,
  matchers: Matchers<NoInfer<L>> = {},
): string {
  return histogramSeries(def, '_count', matchers);
}

/**
 * `histogram_quantile(q, sum by (le, ...) (rate(x_bucket{...}[window])))`, the one shape every
 * latency panel and alert uses.
 */
export function quantile<L extends string>(
  q: number,
  def: MetricDef<string, L>,
  groupBy: readonly NoInfer<L>[],
  matchers: Matchers<NoInfer<L>>,
  window: string,
): string {
  const labels = ['le', ...groupBy].join(', ');
  return `histogram_quantile(${q}, sum by (${labels}) (rate(${bucket(def, matchers)}[${window}])))`;
}

/** Grafana's recommended range for rate() in panels. */
export const RATE_INTERVAL = '$__rate_interval';
