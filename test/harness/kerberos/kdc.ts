/**
 * A real MIT Kerberos KDC for tests (Debian's krb5-kdc / krb5-admin-server, installed by
 * deploy/setup.sh): a private realm in a temporary directory, listening on one free loopback port
 * (TCP, and UDP on the same number), a database made with `kdb5_util create -s`, principals and
 * keytabs made with `kadmin.local`. The KDC runs in the foreground as a child of the test process;
 * `stop()` ends it, and a watchdog ends it too if the test process dies without stopping it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isListening } from '../../../deploy/kafka/readiness.js';
import { freePort } from '../ports.js';

export interface TestKdc {
  readonly realm: string;
  readonly port: number;
  readonly dir: string;
  /** krb5.conf for clients: KRB5_CONFIG for MIT tools and kcat, -Djava.security.krb5.conf for Java. */
  readonly krb5Conf: string;
  /** Environment for MIT tools and librdkafka (its own credential cache in `dir`). */
  env(ccacheName: string): NodeJS.ProcessEnv;
  /** Creates principals with random keys and writes their current keys to a new keytab file. */
  addPrincipals(keytabName: string, principals: string[]): string;
  /** Gives principals new random keys (old keytabs stop working), writing them to a new keytab. */
  rotateKeys(keytabName: string, principals: string[]): string;
  deletePrincipal(principal: string): void;
  stop(): Promise<void>;
}

const MASTER_PASSWORD = 'kgw-test-master-password';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 60_000 });
  if (r.error)
    throw new Error(`${cmd}: ${r.error.message} (is Debian's krb5-kdc installed? run deploy/setup.sh)`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout + r.stderr;
}

export async function startKdc(realm = 'KGW.TEST'): Promise<TestKdc> {
  const dir = mkdtempSync(join(tmpdir(), 'kgw-kdc-'));
  const port = await freePort();
  const krb5Conf = join(dir, 'krb5.conf');
  const kdcConf = join(dir, 'kdc.conf');
  writeFileSync(
    krb5Conf,
    [
      '[libdefaults]',
      `  default_realm = ${realm}`,
      '  dns_lookup_realm = false',
      '  dns_lookup_kdc = false',
      // Service principals are kafka/<the host name the client dialled>: no DNS rewriting.
      '  rdns = false',
      '  dns_canonicalize_hostname = false',
      // TCP only, so one port suffices.
      '  udp_preference_limit = 1',
      '  ticket_lifetime = 1h',
      '  forwardable = false',
      '[realms]',
      `  ${realm} = {`,
      `    kdc = 127.0.0.1:${port}`,
      '  }',
      '[domain_realm]',
      `  localhost = ${realm}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    kdcConf,
    [
      '[kdcdefaults]',
      `  kdc_listen = 127.0.0.1:${port}`,
      `  kdc_tcp_listen = 127.0.0.1:${port}`,
      '[realms]',
      `  ${realm} = {`,
      `    database_name = ${join(dir, 'principal')}`,
      `    key_stash_file = ${join(dir, 'stash')}`,
      `    acl_file = ${join(dir, 'kadm5.acl')}`,
      '    max_life = 1h',
      '    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal',
      '  }',
      '[logging]',
      `  kdc = FILE:${join(dir, 'kdc.log')}`,
      `  default = FILE:${join(dir, 'krb5lib.log')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'kadm5.acl'), '');
  const env = { ...process.env, KRB5_CONFIG: krb5Conf, KRB5_KDC_PROFILE: kdcConf };
  run('kdb5_util', ['-r', realm, '-P', MASTER_PASSWORD, 'create', '-s'], env);

  const kdc: ChildProcess = spawn('krb5kdc', ['-n', '-r', realm], { env, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => kdc.once('exit', () => resolve()));
  // If this process dies without stop(), the KDC goes within a second (as the clusters' watchdog).
  const dog = spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${kdc.pid} 2>/dev/null; do sleep 1; done; kill -9 ${kdc.pid} 2>/dev/null; exit 0`,
    ],
    { detached: true, stdio: 'ignore' },
  );
  dog.unref();
  const stop = async (): Promise<void> => {
    if (kdc.exitCode === null && kdc.signalCode === null) {
      kdc.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (kdc.exitCode === null && kdc.signalCode === null) kdc.kill('SIGKILL');
    }
    if (dog.pid !== undefined) {
      try {
        process.kill(dog.pid);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (let i = 0; !isListening(port); i++) {
      if (kdc.exitCode !== null) throw new Error(`krb5kdc exited ${kdc.exitCode}: ${readLog(dir)}`);
      if (i > 150) throw new Error(`krb5kdc not listening on ${port} within 30 s: ${readLog(dir)}`);
      await sleep(200);
    }
  } catch (e) {
    await stop();
    throw e;
  }

  const kadmin = (query: string): string => run('kadmin.local', ['-r', realm, '-q', query], env);
  const exportKeys = (keytabName: string, principals: string[]): string => {
    const file = join(dir, keytabName);
    // ktadd gives each principal new random keys and writes them: the keytab is their only copy.
    kadmin(`ktadd -k ${file} ${principals.join(' ')}`);
    return file;
  };
  return {
    realm,
    port,
    dir,
    krb5Conf,
    env: (ccacheName) => ({
      ...process.env,
      KRB5_CONFIG: krb5Conf,
      KRB5CCNAME: `FILE:${join(dir, ccacheName)}`,
    }),
    addPrincipals(keytabName, principals) {
      for (const p of principals) kadmin(`addprinc -randkey ${p}`);
      return exportKeys(keytabName, principals);
    },
    rotateKeys: exportKeys,
    deletePrincipal: (p) => void kadmin(`delprinc -force ${p}`),
    stop,
  };
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'kdc.log'), 'utf8').slice(-2000);
  } catch {
    return '(no kdc.log)';
  }
}
