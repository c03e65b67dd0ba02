/**
 * SoftHSM2 tokens for tests: a private token directory per test process (SOFTHSM2_CONF points at
 * it; SoftHSM reads the variable when the module is initialised, so it is set before any token is
 * opened), tokens created with Debian's softhsm2-util.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pkcs11KmsOptions } from '../../../security/kms/index.js';

const MODULES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'];

export interface SoftHsmToken {
  options: Pkcs11KmsOptions;
  remove(): void;
}

let dir: string | undefined;

function tokenDir(): string {
  if (dir) return dir;
  dir = mkdtempSync(join(tmpdir(), 'kgw-softhsm-'));
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  return dir;
}

export function softHsmModule(): string {
  const found = MODULES.find((m) => existsSync(m));
  if (!found)
    throw new Error(`SoftHSM2 is not installed (none of ${MODULES.join(', ')}); run deploy/setup.sh`);
  return found;
}

/** A fresh, initialised token with user PIN 1234. */
export function softHsmToken(label: string): SoftHsmToken {
  const module = softHsmModule();
  const d = tokenDir();
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', '1234', '--so-pin', '5678'],
    {
      env: { ...process.env, SOFTHSM2_CONF: join(d, 'softhsm2.conf') },
      stdio: 'pipe',
    },
  );
  return {
    options: { module, tokenLabel: label, pin: '1234' },
    remove: () => {
      try {
        execFileSync('softhsm2-util', ['--delete-token', '--token', label], { stdio: 'pipe' });
      } catch {
        rmSync(d, { recursive: true, force: true });
      }
    },
  };
}
