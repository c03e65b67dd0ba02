/**
 * The one process lifecycle of `kgw gateway`, `kgw mirror`, `kgw monitor` and `kgw start`: start,
 * say "ready", run until SIGINT or SIGTERM, stop within a deadline, exit.
 *
 * Exit status: 0 after a clean stop; 1 when stopping failed or overran the deadline (a cluster that
 * cannot be reached can hold a client's close up), or on a second signal (the person insists); a
 * start that fails throws to `kgw`'s handler, which exits 2 for configuration errors and 1 otherwise.
 */
import type { Logger } from 'pino';

export interface RunningService {
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** What runs, in log lines ("gateway", "mirror", ...). */
  name: string;
  log: Logger;
  start(): Promise<RunningService>;
  /** How long stop() may take before the process exits anyway (ms). */
  stopDeadlineMs?: number;
  /** Test seam: how the process ends. */
  exit?: (code: number) => void;
}

export const DEFAULT_STOP_DEADLINE_MS = 10_000;

/** Starts the service and resolves with the exit code once a signal has stopped it. */
export async function runUntilSignalled(o: ServiceOptions): Promise<number> {
  // Listening before anything starts: a signal during start-up (or right after "ready") stops the
  // service cleanly once it is up, instead of killing the process half-way.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const service = await o.start();
  o.log.info({ service: o.name, pid: process.pid }, `${o.name} ready`);
  const signal = await signalled;
  o.log.info({ service: o.name, signal }, `${o.name} stopping`);
  const deadline = o.stopDeadlineMs ?? DEFAULT_STOP_DEADLINE_MS;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    service.stop().then(
      () => 'stopped' as const,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    ),
    new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), deadline))),
    new Promise<'again'>((resolve) => {
      process.once('SIGINT', () => resolve('again'));
      process.once('SIGTERM', () => resolve('again'));
    }),
  ]);
  clearTimeout(timer);
  if (outcome === 'stopped') {
    o.log.info({ service: o.name }, `${o.name} stopped`);
    return 0;
  }
  const why =
    outcome === 'deadline'
      ? `did not stop within ${deadline} ms`
      : outcome === 'again'
        ? 'second signal while stopping'
        : `stop failed: ${outcome.message}`;
  o.log.error({ service: o.name }, `${o.name} ${why}; exiting anyway`);
  return 1;
}

/** runUntilSignalled, then process.exit with its code (pending timers and sockets do not keep it up). */
export async function runService(o: ServiceOptions): Promise<void> {
  const code = await runUntilSignalled(o);
  (o.exit ?? process.exit)(code);
}
