/**
 * Terminal styling for the operator commands: colour and bold only when the stream is a terminal
 * (and neither NO_COLOR nor TERM=dumb says otherwise; FORCE_COLOR forces it), so output piped to a
 * file or another program never carries escape codes.
 */
export interface Style {
  readonly color: boolean;
  bold(text: string): string;
  dim(text: string): string;
  /** Colours a Burrow / health status word: OK green, WARN yellow, ERR/STOP/STALL/REWIND/DOWN red. */
  status(text: string): string;
}

export function styleFor(stream: NodeJS.WriteStream = process.stdout, env = process.env): Style {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const color = forced || (stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb');
  const wrap = (code: string) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const green = wrap('32');
  const yellow = wrap('33');
  const red = wrap('31');
  return {
    color,
    bold: wrap('1'),
    dim: wrap('2'),
    status(text) {
      if (/^(OK|UP|RUNNING|READY|yes)$/.test(text)) return green(text);
      if (/^(WARN|PAUSED|UNASSIGNED|RESTARTING|NOTFOUND)$/.test(text)) return yellow(text);
      if (/^(ERR|STOP|STALL|REWIND|FAILED|DOWN|UNREACHABLE|NOT-READY|no)$/.test(text)) return red(text);
      return text;
    },
  };
}

/** Printable length of a string that may hold SGR escape codes. */
export const visibleLength = (text: string): number =>
  // eslint-disable-next-line no-control-regex
  text.replace(/\x1b\[[0-9;]*m/g, '').length;
