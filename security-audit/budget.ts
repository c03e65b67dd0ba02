/**
 * Every connection the audit opens and every request it sends is charged to a meter with a fixed
 * limit: one per check (its declared budget) and one for the set-up (profile, discovery, fixtures).
 * Exceeding a limit throws, so a bug in a check can never turn the audit into a flood.
 */
import type { Budget } from './types.js';

export class BudgetExceeded extends Error {
  constructor(what: string, limit: number, owner: string) {
    super(`${owner} tried to exceed its budget of ${limit} ${what}`);
    this.name = 'BudgetExceeded';
  }
}

export class BudgetMeter {
  connections = 0;
  requests = 0;

  constructor(
    readonly owner: string,
    readonly limit: Budget,
  ) {}

  chargeConnection(): void {
    if (this.connections + 1 > this.limit.connections)
      throw new BudgetExceeded('connections', this.limit.connections, this.owner);
    this.connections++;
  }

  chargeRequests(n = 1): void {
    if (this.requests + n > this.limit.requests)
      throw new BudgetExceeded('requests', this.limit.requests, this.owner);
    this.requests += n;
  }
}

/** Requests a connection sends while it is set up: ApiVersions, then SaslHandshake and up to two SaslAuthenticate when it logs in. */
export const setupRequests = (logsIn: boolean): number => (logsIn ? 4 : 1);

/** Upper bound for checks' declarations: every connection logging in, plus `requests` of their own. */
export const SETUP_REQUESTS_PER_CONNECTION = setupRequests(true);
export const budgetOf = (connections: number, requests: number): Budget => ({
  connections,
  requests: requests + connections * SETUP_REQUESTS_PER_CONNECTION,
});

export const sumBudgets = (budgets: readonly Budget[]): Budget => ({
  connections: budgets.reduce((n, b) => n + b.connections, 0),
  requests: budgets.reduce((n, b) => n + b.requests, 0),
});
