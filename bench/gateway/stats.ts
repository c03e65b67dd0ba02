/**
 * Figures per path, one value per round, compared within rounds: rounds drift (broker JIT, page
 * cache, log segments) by more than the differences between paths, so two paths are only ever
 * compared on values measured in the same round.
 */
export type PerRound = Map<string, number[]>;

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function append<T>(m: Map<string, T[]>, key: string, value: T): void {
  m.set(key, [...(m.get(key) ?? []), value]);
}

/** Median over rounds of op(path a, path b) in the same round. */
export function paired(m: PerRound, a: string, b: string, op: (x: number, y: number) => number): number {
  const bs = m.get(b)!;
  return median(m.get(a)!.map((x, i) => op(x, bs[i]!)));
}

export const ratio = (m: PerRound, a: string, b: string): string =>
  paired(m, a, b, (x, y) => x / y).toFixed(2) + 'x';

export const difference = (m: PerRound, a: string, b: string): number => paired(m, a, b, (x, y) => x - y);
