/**
 * The `encryption:` block of the gateway configuration (docs/encryption.md): which KMS holds the
 * key-encryption keys, how long a data key is used, and which topics are encrypted under which KEK.
 */
import { z } from 'zod';
import { filePath } from '../../config/file-path.js';
import { MAX_INVOCATIONS_PER_KEY } from '../../security/encryption/index.js';

const kekId = z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, '1-200 of A-Z a-z 0-9 . _ -');
const principal = z.string().regex(/^[A-Za-z]+:.+$/, 'a principal such as User:alice (User:* for all)');

const kms = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('keyring'),
      /** JSON keyring (format kgw-keyring/1), mode 0600, owned by the gateway's user. */
      file: filePath(),
      /** How often the file is checked for a rotation (stat only; re-read when it changed). */
      checkIntervalMs: z.number().int().min(0).default(1000),
    })
    .strict(),
  z
    .object({
      type: z.literal('pkcs11'),
      /** The PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
      module: z.string(),
      tokenLabel: z.string(),
      pin: z.string().optional(),
      /** A file holding the user PIN (first line), instead of `pin`. */
      pinFile: filePath().optional(),
    })
    .strict()
    .refine((k) => (k.pin === undefined) !== (k.pinFile === undefined), 'give exactly one of pin, pinFile'),
]);

const topicPolicy = z
  .object({
    /** One topic by its exact name ... */
    name: z.string().min(1).optional(),
    /** ... or every topic whose name starts with this. */
    prefix: z.string().min(1).optional(),
    /** The KEK that wraps this topic's data keys. */
    kek: kekId,
    /** Also encrypt record headers (values and names); the record key always stays plaintext. */
    encryptHeaders: z.boolean().default(false),
    /**
     * Principals that get plaintext when they read; others allowed to READ get the stored ciphertext.
     * Omitted: every principal allowed to read the topic gets plaintext.
     */
    decryptFor: z.array(principal).optional(),
  })
  .strict()
  .refine((t) => (t.name === undefined) !== (t.prefix === undefined), 'give exactly one of name, prefix');

export const encryptionConfigSchema = z
  .object({
    kms,
    dataKeys: z
      .object({
        /** Records encrypted under one data key before a fresh one is made (at most 2^32, SP 800-38D). */
        maxRecords: z.number().int().min(1).max(MAX_INVOCATIONS_PER_KEY).default(1_000_000),
        /** Milliseconds one data key is used for encryption. */
        maxAgeMs: z.number().int().min(1000).default(3_600_000),
        /** Unwrapped data keys kept in memory for decryption. */
        cacheSize: z.number().int().min(1).max(1_000_000).default(4096),
      })
      .strict()
      .default({ maxRecords: 1_000_000, maxAgeMs: 3_600_000, cacheSize: 4096 }),
    topics: z.array(topicPolicy).min(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.topics.forEach((t, i) => {
      const k = t.name !== undefined ? `name:${t.name}` : `prefix:${t.prefix}`;
      if (seen.has(k))
        ctx.addIssue({ code: 'custom', path: ['topics', i], message: `duplicate policy for ${k}` });
      seen.add(k);
    });
  });

export type EncryptionConfig = z.infer<typeof encryptionConfigSchema>;
export type TopicPolicyConfig = EncryptionConfig['topics'][number];
