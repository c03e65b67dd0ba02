/** A configuration error that names the file, line, key and value it is about. */
export class MirrorConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly key: string | undefined,
    readonly value: string | undefined,
    reason: string,
  ) {
    const where = line === undefined ? file : `${file}:${line}`;
    const what = key === undefined ? '' : ` ${key}=${JSON.stringify(value ?? '')}:`;
    super(`${where}:${what} ${reason}`);
    this.name = 'MirrorConfigError';
  }
}
