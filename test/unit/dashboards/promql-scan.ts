// A small PromQL scanner for the tests: finds every metric selector (with the label names its
// matchers use), every grouping label list (by/without/on/ignoring/group_left/group_right) and
// every function called. Not a full parser: just enough to check expressions against the catalogue
// without trusting the helpers that built them.

export interface Selector {
  readonly metric: string;
  readonly labels: readonly string[];
}

export interface Scan {
  readonly selectors: readonly Selector[];
  readonly groupingLabels: readonly string[];
  readonly functions: readonly string[];
  /** Grafana variables used outside string literals and inside them, without the `$`. */
  readonly variables: readonly string[];
}

const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'atan2']);

/** PromQL functions and aggregation operators (Prometheus 2.x). */
export const PROMQL_FUNCTIONS = new Set(
  (
    'abs absent absent_over_time ceil changes clamp clamp_max clamp_min day_of_month ' +
    'day_of_week day_of_year days_in_month delta deriv exp floor histogram_quantile ' +
    'holt_winters hour idelta increase irate label_join label_replace ln log2 log10 minute ' +
    'month predict_linear rate resets round scalar sgn sort sort_desc sqrt time timestamp ' +
    'vector year avg_over_time min_over_time max_over_time sum_over_time count_over_time ' +
    'quantile_over_time stddev_over_time stdvar_over_time last_over_time present_over_time sum ' +
    'min max avg group stddev stdvar count count_values bottomk topk quantile '
  )
    .trim()
    .split(' '),
);

const isIdentStart = (c: string): boolean => /[A-Za-z_:]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_:]/.test(c);

function readString(src: string, start: number): number {
  const quote = src[start];
  let i = start + 1;
  while (i < src.length && src[i] !== quote) i += src[i] === '\\' ? 2 : 1;
  if (i >= src.length) throw new Error(`unterminated string at ${start} in: ${src}`);
  return i + 1;
}

function skipSpace(src: string, i: number): number {
  while (i < src.length && /\s/.test(src[i] ?? '')) i++;
  return i;
}

function collectVariables(text: string, into: string[]): void {
  for (const m of text.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g)) into.push((m[1] ?? m[2]) as string);
}

/** Label names used in a `{...}` matcher block starting at `start` (the `{`); returns the end. */
function readMatchers(src: string, start: number, labels: string[], variables: string[]): number {
  let i = start + 1;
  for (;;) {
    i = skipSpace(src, i);
    if (src[i] === '}') return i + 1;
    const nameStart = i;
    while (i < src.length && isIdentPart(src[i] ?? '')) i++;
    if (i === nameStart) throw new Error(`bad label matcher at ${i} in: ${src}`);
    labels.push(src.slice(nameStart, i));
    i = skipSpace(src, i);
    const op = /^(=~|!~|!=|=)/.exec(src.slice(i));
    if (op === null) throw new Error(`missing matcher operator at ${i} in: ${src}`);
    i = skipSpace(src, i + op[0].length);
    if (src[i] !== '"' && src[i] !== "'" && src[i] !== '`')
      throw new Error(`matcher value not quoted in: ${src}`);
    const end = readString(src, i);
    collectVariables(src.slice(i, end), variables);
    i = skipSpace(src, end);
    if (src[i] === ',') i++;
  }
}

export function scanPromQL(src: string): Scan {
  const selectors: Selector[] = [];
  const groupingLabels: string[] = [];
  const functions: string[] = [];
  const variables: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (c === '"' || c === "'" || c === '`') {
      const end = readString(src, i);
      collectVariables(src.slice(i, end), variables);
      i = end;
    } else if (c === '[') {
      // range or subquery duration, possibly a Grafana variable such as $__rate_interval
      const end = src.indexOf(']', i);
      if (end < 0) throw new Error(`unterminated [ in: ${src}`);
      collectVariables(src.slice(i, end), variables);
      i = end + 1;
    } else if (c === '{') {
      throw new Error(`selector without a metric name at ${i} in: ${src}`);
    } else if (c === '$') {
      const m = /^\$\{?(\w+)\}?/.exec(src.slice(i));
      if (m === null) throw new Error(`stray $ in: ${src}`);
      variables.push(m[1] as string);
      i += m[0].length;
    } else if (/[0-9.]/.test(c)) {
      // number or duration literal (1e3, 0.99, 5m, 0x1f)
      i++;
      while (
        i < src.length &&
        (/[0-9A-Za-z._]/.test(src[i] ?? '') || (/[+-]/.test(src[i] ?? '') && /[eE]/.test(src[i - 1] ?? '')))
      )
        i++;
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < src.length && isIdentPart(src[i] ?? '')) i++;
      const word = src.slice(start, i);
      const next = skipSpace(src, i);
      if (GROUPING.has(word.toLowerCase())) {
        if (src[next] === '(') {
          const end = src.indexOf(')', next);
          if (end < 0) throw new Error(`unterminated label list in: ${src}`);
          const list = src
            .slice(next + 1, end)
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
          groupingLabels.push(...list);
          i = end + 1;
        }
      } else if (KEYWORDS.has(word.toLowerCase())) {
        // operator keyword or special float
      } else if (src[next] === '(' || /^(by|without)\s*\(/i.test(src.slice(next))) {
        // a function call, or an aggregation written `sum by (x) (...)`
        functions.push(word);
      } else {
        const labels: string[] = [];
        if (src[next] === '{') i = readMatchers(src, next, labels, variables);
        selectors.push({ metric: word, labels });
      }
    } else {
      i++;
    }
  }
  return { selectors, groupingLabels, functions, variables };
}

/** Split Grafana's `label_values(selector, label)` into its parts. */
export function parseLabelValues(query: string): { selector: string; label: string } {
  const m = /^label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/s.exec(query.trim());
  if (m === null) throw new Error(`not a label_values(selector, label) query: ${query}`);
  return { selector: m[1] as string, label: m[2] as string };
}
