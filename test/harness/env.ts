/** Names shared between the test runner and the tests it starts. */

/** Clusters started once per run and shared by all integration tests (unique topic names keep them apart). */
export const SHARED_CLUSTERS = ['east', 'west'] as const;
export type SharedCluster = (typeof SHARED_CLUSTERS)[number];

/** JSON object cluster name → bootstrap servers, set by the runner for every test process. */
export const TEST_CLUSTERS_ENV = 'KGW_TEST_CLUSTERS';

/** Generators whose committed output `npm test` re-derives and diffs (script paths relative to dist/). */
export const GENERATED_CHECKS: { what: string; script: string }[] = [
  { what: 'protocol codec (from the Kafka jar message definitions)', script: 'protocol/generator/main.js' },
  { what: 'dashboards, alert rules and docs/metrics.md', script: 'dashboards/generate.js' },
];
