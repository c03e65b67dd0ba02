/**
 * The first administrator(s), from a YAML file, so a fresh deployment can be administered at all:
 *
 *   users:
 *     - name: admin
 *       passwordFile: admin.password     # or password: …
 *       mechanisms: [SCRAM-SHA-512]      # default: SCRAM-SHA-512 and SCRAM-SHA-256
 *
 * A seeded credential is written only when the user has none for that mechanism, so a password
 * changed later through kafka-configs is never reset by a restart.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CredentialStore } from '../../security/credentials/index.js';
import { deriveScramCredential } from '../../security/scram/index.js';
import { filePath } from '../../config/file-path.js';
import { loadYamlConfig } from '../../config/yaml.js';

const seedSchema = z
  .object({
    users: z.array(
      z
        .object({
          name: z.string().min(1),
          password: z.string().min(1).optional(),
          /** Relative to the seed file's folder. */
          passwordFile: filePath().optional(),
          mechanisms: z
            .array(z.enum(['SCRAM-SHA-256', 'SCRAM-SHA-512']))
            .default(['SCRAM-SHA-512', 'SCRAM-SHA-256']),
        })
        .strict()
        .refine(
          (u) => (u.password === undefined) !== (u.passwordFile === undefined),
          'give exactly one of password, passwordFile',
        ),
    ),
  })
  .strict();

export function seedRecords(
  file: string,
  store: CredentialStore,
  iterations: number,
): { key: string; value: Buffer }[] {
  const seed = loadYamlConfig(file, seedSchema);
  const records: { key: string; value: Buffer }[] = [];
  for (const u of seed.users) {
    const password = u.password ?? readFileSync(u.passwordFile!, 'utf8').trim();
    for (const mechanism of u.mechanisms) {
      if (store.get(u.name, mechanism)) continue;
      records.push(store.set(u.name, mechanism, deriveScramCredential(mechanism, password, { iterations })));
    }
  }
  return records;
}
