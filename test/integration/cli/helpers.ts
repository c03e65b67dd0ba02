/** Runs the real `kgw` binary (dist/cli/kgw.js) as an operator would: a child process, pipes, exit status. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const kgwBin = fileURLToPath(new URL('../../../cli/kgw.js', import.meta.url));

export interface KgwResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kgw(
  args: string[],
  opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<KgwResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [kgwBin, ...args], {
      env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kgw ${args.join(' ')} did not finish in time:\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** The JSON document `kgw … --json` printed, or a failure showing what it printed instead. */
export function jsonOf<T>(r: KgwResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** Fails with the command's output unless it exited with `code`. */
export function expectExit(r: KgwResult, code: number, what: string): KgwResult {
  if (r.code !== code)
    throw new Error(
      `${what}: exit ${r.code}, expected ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    );
  return r;
}
