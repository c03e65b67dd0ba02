/**
 * Two data centres, one KMS: gateways in front of `east` and `west` share a PKCS#11 token (SoftHSM2)
 * holding the KEK. Records produced through the east gateway are stored encrypted; the mirror
 * (reading and writing the clusters directly, not through a gateway) replicates the ciphertext
 * unchanged; the west gateway decrypts the mirrored records with the shared KMS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isSealed } from '../../../security/encryption/index.js';
import { Pkcs11Kms } from '../../../security/kms/index.js';
import { kcat, uniqueName } from '../../harness/index.js';
import { kcatSecurity, startTestGateway, type TestGateway } from '../../harness/gateway.js';
import { softHsmToken, type SoftHsmToken } from '../../harness/encryption/softhsm.js';
import {
  EAST,
  WEST,
  createTopic,
  endOffsets,
  killAllMirrors,
  mm2Properties,
  startMirror,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from '../mirror/helpers.js';
import { findPlaintext, lines, storedRecords } from './helpers.js';

const ALICE = { name: 'alice', password: 'alice-pw' };

function pkcs11Yaml(token: SoftHsmToken, prefix: string): string {
  const o = token.options;
  return `
encryption:
  kms: { type: pkcs11, module: ${o.module}, tokenLabel: ${o.tokenLabel}, pin: "${o.pin}" }
  topics:
    - { prefix: ${prefix}, kek: shared }
`;
}

let token: SoftHsmToken;
let east: TestGateway;
let west: TestGateway;
let mirror: MirrorProcess | undefined;
const topic = uniqueName('enc-mirror');

before(async () => {
  token = softHsmToken('kgw-mirror-it');
  const kms = new Pkcs11Kms(token.options);
  kms.rotate('shared');
  await kms.close();
  east = await startTestGateway({
    upstream: EAST(),
    users: [ALICE],
    extraYaml: pkcs11Yaml(token, 'enc-mirror-'),
  });
  // DefaultReplicationPolicy names the copy east.<topic>: the west policy covers that name.
  west = await startTestGateway({
    upstream: WEST(),
    users: [ALICE],
    extraYaml: pkcs11Yaml(token, 'east.enc-mirror-'),
  });
});
after(async () => {
  await mirror?.stop();
  killAllMirrors();
  await east?.close();
  await west?.close();
  token?.remove();
});

describe('encrypted topics across data centres (PKCS#11 KMS shared by both gateways)', () => {
  test('the mirror copies ciphertext; the other DC’s gateway decrypts it', async () => {
    await createTopic(EAST(), topic, 2);
    const input = Array.from({ length: 20 }, (_, i) => `m${i}:mirrored secret ${i}`);
    const p = await kcat(
      [
        '-b',
        east.bootstrap,
        ...kcatSecurity(east, ALICE),
        '-t',
        topic,
        '-P',
        '-K',
        ':',
        '-z',
        'lz4',
        '-X',
        'acks=all',
      ],
      {
        input: input.join('\n') + '\n',
        timeoutMs: 60_000,
      },
    );
    assert.equal(p.code, 0, p.stderr);

    mirror = await startMirror(
      writeConfig('enc-mirror.properties', mm2Properties({ 'east->west.enabled': 'true', topics: topic })),
    );
    const remote = `east.${topic}`;
    await waitFor('20 records mirrored to west', async () => {
      const ends = await endOffsets(WEST(), remote).catch(() => new Map<number, number>());
      return [...ends.values()].reduce((a, b) => a + b, 0) >= 20 ? true : undefined;
    });

    // Stored on both sides as the same ciphertext: the mirror did not (could not) decrypt.
    const eastStored = await storedRecords('east', topic);
    const westStored = await storedRecords('west', remote);
    assert.equal(westStored.length, 20);
    assert.ok(westStored.every(isSealed));
    const values = (rs: typeof eastStored): string[] => rs.map((r) => r.value!.toString('base64')).sort();
    assert.deepEqual(values(westStored), values(eastStored));
    assert.deepEqual(await findPlaintext('west', remote, ['mirrored secret']), []);
    assert.deepEqual(await findPlaintext('east', topic, ['mirrored secret']), []);

    // The west gateway decrypts with the shared KMS; the mirror's provenance headers survive.
    const r = await kcat(
      [
        '-b',
        west.bootstrap,
        ...kcatSecurity(west, ALICE),
        '-t',
        remote,
        '-C',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%k:%s|%h\\n',
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const got = lines(r.stdout);
    assert.deepEqual(got.map((l) => l.split('|')[0]).sort(), [...input].sort());
    assert.ok(
      got.every((l) => /kgw\.path=east/.test(l)),
      got.join('\n'),
    );
    assert.ok(
      got.every((l) => !l.includes('kgw.encryption')),
      'the marker is removed once decrypted',
    );
  });
});
