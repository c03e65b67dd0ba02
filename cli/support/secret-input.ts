/**
 * A password for a user being created: from a file, an environment variable, standard input, or
 * typed at a terminal prompt without echo (asked twice). Never from a command-line flag, where it
 * would land in shell history and in every `ps` listing.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

export interface SecretFlags {
  passwordFile?: string;
  passwordEnv?: string;
  passwordStdin?: boolean;
}

export async function readNewPassword(flags: SecretFlags, user: string): Promise<string> {
  const given = [flags.passwordFile, flags.passwordEnv, flags.passwordStdin].filter((x) => x !== undefined);
  if (given.length > 1) throw new UsageError('give one of --password-file, --password-env, --password-stdin');
  let password: string;
  if (flags.passwordFile !== undefined) {
    try {
      password = stripNewline(readFileSync(flags.passwordFile, 'utf8'));
    } catch (e) {
      throw new UsageError(
        `--password-file ${flags.passwordFile}: cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`,
      );
    }
  } else if (flags.passwordEnv !== undefined) {
    const v = process.env[flags.passwordEnv];
    if (v === undefined)
      throw new UsageError(`--password-env: environment variable ${flags.passwordEnv} is not set`);
    password = v;
  } else if (flags.passwordStdin) {
    password = stripNewline(await readAll(process.stdin));
  } else if (process.stdin.isTTY && process.stderr.isTTY) {
    password = await prompt(`Password for ${user}: `);
    if ((await prompt('Again: ')) !== password)
      throw new UsageError('the two passwords differ; nothing was changed');
  } else {
    throw new UsageError(
      'no password: not at a terminal, so give --password-file <file>, --password-env <variable> or --password-stdin',
    );
  }
  if (password === '') throw new UsageError('the password is empty');
  return password;
}

const stripNewline = (s: string): string => s.replace(/\r?\n$/, '');

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal in raw mode, echoing nothing. Ctrl-C aborts. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let typed = '';
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
