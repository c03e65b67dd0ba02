import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from '../../../dashboards/outputs.js';

const root = repoRoot();
const read = (path: string): unknown => parse(readFileSync(join(root, path), 'utf8'));

describe('Grafana provisioning', () => {
  it('provides a default Prometheus datasource', () => {
    const doc = read('deploy/grafana/provisioning/datasources/prometheus.yml') as {
      apiVersion: number;
      datasources: { type: string; isDefault?: boolean; url: string }[];
    };
    assert.equal(doc.apiVersion, 1);
    assert.equal(doc.datasources.length, 1);
    assert.equal(doc.datasources[0]?.type, 'prometheus');
    assert.equal(doc.datasources[0]?.isDefault, true);
  });

  it('loads the generated dashboards from files, read-only', () => {
    const doc = read('deploy/grafana/provisioning/dashboards/kgw.yml') as {
      apiVersion: number;
      providers: { type: string; allowUiUpdates: boolean; options: { path: string } }[];
    };
    assert.equal(doc.apiVersion, 1);
    const provider = doc.providers[0];
    assert.equal(provider?.type, 'file');
    assert.equal(provider?.allowUiUpdates, false);
    assert.equal(provider?.options.path, '${KGW_DASHBOARDS_DIR}');
  });
});
