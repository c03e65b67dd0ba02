/**
 * Where an operator command writes: the report to stdout (a table on a terminal, one JSON document
 * with --json), progress and warnings to stderr so that stdout stays parseable. Progress rewrites
 * one line on a terminal and prints plain `[kgw] …` lines otherwise.
 */
import { styleFor, type Style } from './style.js';

export interface Output {
  readonly json: boolean;
  readonly style: Style;
  /** The report: printed as is. */
  print(text: string): void;
  /** One JSON document, the whole report (--json). */
  printJson(value: unknown): void;
  progress(text: string): void;
  /** Clears a progress line left on a terminal. */
  progressDone(): void;
  warn(text: string): void;
}

export function createOutput(opts: { json?: boolean | undefined }): Output {
  const stderrTty = process.stderr.isTTY === true;
  let progressShown = false;
  const clear = (): void => {
    if (progressShown) process.stderr.write('\r\x1b[2K');
    progressShown = false;
  };
  return {
    json: opts.json === true,
    style: styleFor(process.stdout),
    print: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    printJson: (value) => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    progress(text) {
      if (stderrTty) {
        process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns ?? 100) - 1)}`);
        progressShown = true;
      } else process.stderr.write(`[kgw] ${text}\n`);
    },
    progressDone: clear,
    warn(text) {
      clear();
      process.stderr.write(`warning: ${text}\n`);
    },
  };
}
