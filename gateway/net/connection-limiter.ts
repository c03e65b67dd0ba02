/** Caps connections in total and per client address; counts are released when a connection closes. */
export class ConnectionLimiter {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerAddress: number,
  ) {}

  /** Returns the reason the connection is refused, or undefined and counts it. */
  admit(address: string): 'max-connections' | 'max-connections-per-ip' | undefined {
    if (this.total >= this.maxTotal) return 'max-connections';
    const n = this.perAddress.get(address) ?? 0;
    if (n >= this.maxPerAddress) return 'max-connections-per-ip';
    this.total++;
    this.perAddress.set(address, n + 1);
    return undefined;
  }

  release(address: string): void {
    this.total--;
    const n = (this.perAddress.get(address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, n);
  }
}
