/**
 * A gateway run as its own process (`kgw gateway --config`), as operators run it: for tests and
 * benches that must see the process itself — whether it dies, its resident memory (VmRSS/VmHWM
 * from /proc), where it writes files relative to its config. The config lives in its own folder and
 * the process runs from a different working directory, so a path resolved against the working
 * directory instead of the config file shows up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freePortRange } from './ports.js';
import { ADMIN, type TestUser } from './gateway.js';

export interface GatewayProcessOptions {
  upstream: string;
  users?: TestUser[];
  superUsers?: string[];
  allowEveryoneIfNoAclFound?: boolean;
  /** YAML of the `limits:` section's body, one line, e.g. `{ authTimeoutMs: 3000 }`. */
  limits?: string;
  mechanisms?: string[];
}

export interface GatewayProcess {
  bootstrap: string;
  pid: number;
  /** Folder of gateway.yaml (the audit log is configured as a relative path: `audit.log`). */
  configDir: string;
  /** The working directory the process runs in (nothing should be written here). */
  cwd: string;
  logFile: string;
  /** Resident set size now and at its peak, KiB (Linux /proc). */
  memory(): { rssKiB: number; peakKiB: number };
  /** Resolves when the process exits, with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  stop(): Promise<void>;
}

const KGW = fileURLToPath(new URL('../../cli/kgw.js', import.meta.url));

export async function startGatewayProcess(o: GatewayProcessOptions): Promise<GatewayProcess> {
  const configDir = mkdtempSync(join(tmpdir(), 'kgw-gwp-conf-'));
  const cwd = mkdtempSync(join(tmpdir(), 'kgw-gwp-cwd-'));
  const users = [ADMIN, ...(o.users ?? [])];
  writeFileSync(
    join(configDir, 'seed.yaml'),
    `users:\n${users.map((u) => `  - name: ${u.name}\n    password: ${JSON.stringify(u.password)}\n`).join('')}`,
  );
  const port = await freePort();
  const brokerBase = await freePortRange(8);
  const yaml = `
listeners:
  - name: fuzz
    port: ${port}
    allowPlaintext: true
    saslMechanisms: [${(o.mechanisms ?? ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN']).join(', ')}]
    addressing: { mode: port-per-broker, advertisedHost: 127.0.0.1, brokerPortBase: ${brokerBase} }
upstream:
  bootstrap: [${o.upstream.split(',').join(', ')}]
credentials:
  topic: __kgw_security_gwp_${process.pid}_${port}
  seedFile: seed.yaml
  scramIterations: 4096
authorization:
  superUsers: [${(o.superUsers ?? ['User:admin']).join(', ')}]
  allowEveryoneIfNoAclFound: ${o.allowEveryoneIfNoAclFound ?? false}
audit: { destination: audit.log }
http: { port: 0 }
limits: ${o.limits ?? '{}'}
log: { level: info }
`;
  writeFileSync(join(configDir, 'gateway.yaml'), yaml);
  mkdirSync(cwd, { recursive: true });
  const logFile = join(configDir, 'gateway.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(
    process.execPath,
    [KGW, 'gateway', '--config', join(configDir, 'gateway.yaml')],
    {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let running = true;
  // Never outlive the process that started it.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => {
    running = false;
    process.off('exit', killOnExit);
  });
  // Ready when it logs so (after the security topic replay), or failed if it exits first.
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString('utf8');
      if (seen.includes('"msg":"gateway ready"')) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) =>
      reject(new Error(`gateway exited (${code ?? signal}) before it was ready:\n${seen.slice(-2000)}`)),
    );
    setTimeout(
      () => reject(new Error(`gateway not ready after 120 s:\n${seen.slice(-2000)}`)),
      120_000,
    ).unref();
  });
  return {
    bootstrap: `127.0.0.1:${port}`,
    pid: child.pid!,
    configDir,
    cwd,
    logFile,
    exited,
    isRunning: () => running,
    memory() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kib = (field: string): number =>
        Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
      return { rssKiB: kib('VmRSS'), peakKiB: kib('VmHWM') };
    },
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}
