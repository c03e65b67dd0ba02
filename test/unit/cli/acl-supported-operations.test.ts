// The operations `kgw acls add` accepts per resource type are Kafka's own: the table in
// cli/support/acl-spec.ts against AclEntry.supportedOperations from the Kafka jars the project
// runs (kafka-acls.sh refuses exactly the same combinations).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertKafkaFetched } from '../../../deploy/kafka/runtime.js';
import { SUPPORTED_OPERATIONS, resourceTypeName } from '../../../cli/support/acl-spec.js';

// dist/test/unit/cli → the source tree's copy of the Java helper.
const JAVA_HELPER = join(
  dirname(fileURLToPath(import.meta.url)),
  ...Array<string>(4).fill('..'),
  'test/unit/cli/AclSupportedOperations.java',
);

test("kgw acls accepts per resource type exactly the operations Kafka's AclEntry supports", () => {
  const libs = assertKafkaFetched();
  const r = spawnSync('java', ['-Xmx64m', '-cp', `${libs}/*`, JAVA_HELPER], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `Java helper failed: ${r.stderr}`);
  const kafka = JSON.parse(r.stdout) as Record<string, string[]>;
  const ours = Object.fromEntries(
    Object.entries(SUPPORTED_OPERATIONS).map(([type, ops]) => [
      resourceTypeName(Number(type)),
      [...ops].sort(),
    ]),
  );
  assert.ok(Object.keys(kafka).length >= 6, `Kafka listed ${Object.keys(kafka).join(', ')}`);
  assert.deepEqual(ours, kafka);
});
