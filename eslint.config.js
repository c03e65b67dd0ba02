// ESLint flat config: typescript-eslint's type-aware recommended rules over all sources, and the
// layer rule: which top-level folder may import which (ARCHITECTURE.md draws the same picture).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers, bottom up: a folder may import only the folders listed for it (and itself).
 * Layer 1 `protocol/`, `security/`, `config/`; layer 2 `client/`, `mm2/`, `observability/`;
 * layer 3 the products; layer 4 `cli/`. `dashboards/` and `deploy/` stand beside them;
 * `test/` and `bench/` may import anything.
 */
const PRODUCT_DEPS = ['protocol', 'security', 'config', 'client', 'mm2', 'observability'];
export const LAYERS = {
  protocol: [],
  config: [],
  security: ['config'],
  client: ['protocol', 'security', 'config'],
  mm2: ['protocol', 'config'],
  observability: ['config'],
  gateway: PRODUCT_DEPS,
  mirror: PRODUCT_DEPS,
  monitor: PRODUCT_DEPS,
  'security-audit': PRODUCT_DEPS,
  cli: [...PRODUCT_DEPS, 'gateway', 'mirror', 'monitor', 'security-audit', 'deploy'],
  dashboards: ['observability'],
  deploy: ['config'],
};

/**
 * Edges that break the layers today and need more than a move to mend, each with its reason.
 * Keyed by importing folder; the value lists paths (from the repository root) it may still import.
 */
const EXCEPTIONS = {};

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One block per (folder, depth below the repository root): a relative specifier leaves the
 * repository's top level after exactly `depth` `../`, so `../config/` from `gateway/authz/x.ts` is
 * the gateway's own config while `../../config/` is the config layer. Blocks never overlap, since a
 * later block's options would replace an earlier one's.
 */
function layerBlocks() {
  const blocks = [];
  for (const [folder, allowed] of Object.entries(LAYERS)) {
    const forbidden = Object.keys(LAYERS).filter((other) => other !== folder && !allowed.includes(other));
    forbidden.push('test', 'bench');
    const excepted = (EXCEPTIONS[folder] ?? []).map((path) => `(?!${escape(path)}$)`).join('');
    const message =
      `${folder}/ may import only ${allowed.length ? allowed.map((f) => `${f}/`).join(', ') : 'its own files'} ` +
      '(the layers in ARCHITECTURE.md; a shared piece moves down a layer).';
    for (let depth = 1; depth <= 8; depth++) {
      blocks.push({
        files: [`${folder}/${'*/'.repeat(depth - 1)}*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              patterns: [
                {
                  regex: `^(\\.\\./){${depth}}${excepted}(${forbidden.map(escape).join('|')})(/|$)`,
                  message,
                },
              ],
            },
          ],
        },
      });
    }
  }
  return blocks;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'protocol/generated/**', '**/*.mjs', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  ...layerBlocks(),
);
