/**
 * What the mirror's configuration parts (mirror/conflicts/config.ts, mirror/cluster/config.ts) get
 * from the loader: a key's value with the line it was read from, and the way to refuse it (a
 * ConfigError naming the file, line and key).
 */
export type LocatedValue = { value: string; line: number | undefined } | undefined;
export type FailAt = (e: { key?: string; value?: string; line?: number }, reason: string) => never;
