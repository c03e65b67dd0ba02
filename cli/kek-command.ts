/**
 * `kgw kek`: key-encryption keys for record encryption (docs/encryption.md). `rotate` adds the next
 * version of a KEK (its first if new) to a keyring file or a PKCS#11 token; `list` shows ids,
 * versions and creation times, never key material. A running gateway picks up a rotation by itself.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { openKms } from '../gateway/encryption/index.js';
import type { Pkcs11Kms } from '../security/kms/index.js';
import { emptyKeyring, readKeyringFile, rotateKek, writeKeyringFile } from '../security/kms/index.js';

interface KmsOptions {
  keyring?: string;
  pkcs11Module?: string;
  token?: string;
  pinFile?: string;
}

function pkcs11(o: KmsOptions): Pkcs11Kms {
  if (!o.pkcs11Module || !o.token || !o.pinFile)
    throw new Error('give --keyring <file>, or --pkcs11-module, --token and --pin-file');
  return openKms({
    type: 'pkcs11',
    module: o.pkcs11Module,
    tokenLabel: o.token,
    pinFile: o.pinFile,
  }) as Pkcs11Kms;
}

function withKmsOptions(c: Command): Command {
  return c
    .option('--keyring <file>', 'keyring file (kgw-keyring/1 JSON, mode 0600)')
    .option('--pkcs11-module <path>', 'PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so')
    .option('--token <label>', 'PKCS#11 token label')
    .option('--pin-file <file>', 'file holding the token user PIN');
}

export function registerKekCommand(program: Command): void {
  const kek = program.command('kek').description('key-encryption keys for record encryption');
  withKmsOptions(
    kek.command('rotate <kekId>').description('add the next version of a KEK (its first if new)'),
  ).action(async (kekId: string, o: KmsOptions) => {
    if (o.keyring) {
      const ring = existsSync(o.keyring) ? readKeyringFile(o.keyring) : emptyKeyring();
      const { ring: next, version } = rotateKek(ring, kekId, new Date());
      writeKeyringFile(o.keyring, next);
      console.log(`${kekId} version ${version} added to ${o.keyring}`);
      return;
    }
    const kms = pkcs11(o);
    try {
      console.log(`${kekId} version ${kms.rotate(kekId)} generated in ${kms.description}`);
    } finally {
      await kms.close();
    }
  });
  withKmsOptions(kek.command('list').description('KEK ids and versions (never key material)')).action(
    async (o: KmsOptions) => {
      if (o.keyring) {
        for (const [id, versions] of readKeyringFile(o.keyring).keks)
          for (const v of versions) console.log(`${id}\tv${v.version}\t${v.created}`);
        return;
      }
      const kms = pkcs11(o);
      try {
        for (const [id, versions] of kms.list()) for (const v of versions) console.log(`${id}\tv${v}`);
      } finally {
        await kms.close();
      }
    },
  );
}
