/** HTTP reads of the products' own endpoints (mirror REST, gateway and monitor /metrics, /readyz). */
import { CommandFailed, errorText } from './errors.js';

const TIMEOUT_MS = 10_000;

export interface HttpAnswer<T> {
  status: number;
  body: T;
}

async function get(url: string, what: string): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? errorText(e);
    throw new CommandFailed(
      `cannot reach the ${what} at ${url}: ${cause}. Is it running, and is the URL right?`,
    );
  }
}

/** GET a JSON document; any status is returned (callers decide what 404 or 503 mean). */
export async function getJson<T>(url: string, what: string): Promise<HttpAnswer<T>> {
  const res = await get(url, what);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as T };
  } catch {
    throw new CommandFailed(
      `the ${what} at ${url} answered HTTP ${res.status} with something that is not JSON`,
    );
  }
}

export async function getText(url: string, what: string): Promise<HttpAnswer<string>> {
  const res = await get(url, what);
  return { status: res.status, body: await res.text() };
}

/** Joins a base URL and a path without doubling slashes. */
export const urlJoin = (base: string, path: string): string => `${base.replace(/\/+$/, '')}${path}`;
