/**
 * What the three MM2 roles share: Kafka-Connect-like lifecycle and status (RUNNING, PAUSED, FAILED,
 * UNASSIGNED) for one connector with one task, retries with backoff on retriable errors, and a FAILED
 * state with its cause on anything else.
 */
import type { Logger } from 'pino';
import type { FlowConfig } from './config/config.js';
import { isRetriableError } from '../client/retriable.js';
import { Backoff } from '../client/retry.js';
import { WakeableSleep } from './wakeable-sleep.js';

export type ConnectorState = 'RUNNING' | 'PAUSED' | 'FAILED' | 'UNASSIGNED';
export type ConnectorClass =
  'MirrorSourceConnector' | 'MirrorCheckpointConnector' | 'MirrorHeartbeatConnector';

export interface ConnectorStatus {
  name: string;
  connector: { state: ConnectorState; worker_id: string; trace?: string };
  tasks: { id: number; state: ConnectorState; worker_id: string; trace?: string }[];
  type: 'source';
  /** kgw: source data the connector could not copy (see MirrorSourceConnector.dataLoss). */
  data_loss?: DataLossEvent[];
}

/** One jump of a source position over data that was gone (the fetcher's OffsetReset, as reported). */
export interface DataLossEvent {
  topic: string;
  partition: number;
  reason: 'records_removed' | 'offsets_went_backwards' | 'topic_recreated';
  /** The position that could no longer be read, and where reading resumed (decimal strings). */
  from: string;
  to: string;
  /** Records never copied: to − from for records_removed, else 0 (what was lost is unknown). */
  lost: string;
  time: string;
}

export class NonRetriableError extends Error {
  override readonly name = 'NonRetriableError';
}

export abstract class Connector {
  readonly name: string;
  /** The task this instance runs (Connect's ConnectorTaskId.task); 0 unless a flow is split into tasks. */
  taskId = 0;
  state: ConnectorState = 'UNASSIGNED';
  trace: string | undefined;
  protected stopping = false;
  private paused = false;
  private loop: Promise<void> | undefined;
  private readonly sleeper = new WakeableSleep();

  constructor(
    readonly connectorClass: ConnectorClass,
    readonly flow: FlowConfig,
    protected readonly log: Logger,
    readonly workerId: string,
  ) {
    this.name = `${flow.source}->${flow.target}.${connectorClass}`;
  }

  /** The connector's work until `stopping`; throws to fail. Must call `pausePoint()` regularly. */
  protected abstract run(): Promise<void>;
  /** Releases clients; called after run() ends, whatever the reason. */
  protected abstract cleanup(): Promise<void>;

  start(): void {
    if (this.loop !== undefined) return;
    this.stopping = false;
    this.trace = undefined;
    this.state = this.paused ? 'PAUSED' : 'RUNNING';
    this.loop = this.supervise();
  }

  private async supervise(): Promise<void> {
    const backoff = new Backoff({ initialBackoffMs: 250, maxBackoffMs: 10_000 });
    while (!this.stopping) {
      try {
        await this.run();
        break;
      } catch (err) {
        await this.cleanup().catch(() => undefined);
        if (this.stopping) break;
        if (isRetriableError(err)) {
          const delay = backoff.next();
          this.log.warn(
            { connector: this.name, err: String(err), backoffMs: delay },
            'retriable error; restarting task',
          );
          await this.interruptibleSleep(delay);
          continue;
        }
        this.state = 'FAILED';
        this.trace = err instanceof Error ? (err.stack ?? err.message) : String(err);
        this.log.error({ connector: this.name, err: this.trace }, 'connector failed');
        return;
      }
    }
    await this.cleanup().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    await this.loop;
    this.loop = undefined;
    if (this.state !== 'FAILED') this.state = 'UNASSIGNED';
  }

  async restart(): Promise<void> {
    await this.stop();
    this.state = 'UNASSIGNED';
    this.start();
  }

  pause(): void {
    this.paused = true;
    if (this.state === 'RUNNING') this.state = 'PAUSED';
  }

  resume(): void {
    this.paused = false;
    if (this.state === 'PAUSED') this.state = 'RUNNING';
    this.sleeper.wake();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Blocks while paused (after `onPause`); returns false when stopping. */
  protected async pausePoint(onPause?: () => Promise<void>): Promise<boolean> {
    if (this.paused && !this.stopping) {
      await onPause?.();
      while (this.paused && !this.stopping) await this.interruptibleSleep(1000);
    }
    return !this.stopping;
  }

  protected interruptibleSleep(ms: number): Promise<void> {
    return this.sleeper.sleep(ms);
  }

  /** Runs `fn` every `intervalMs` (≤0: never) until stopping; errors are logged, not fatal. */
  protected every(intervalMs: number, what: string, fn: () => Promise<void>): () => void {
    if (intervalMs <= 0) return () => undefined;
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    const tick = async (): Promise<void> => {
      if (cancelled || this.stopping) return;
      if (!this.paused) {
        try {
          await fn();
        } catch (err) {
          this.log.warn({ connector: this.name, err: String(err) }, `${what} failed; will retry`);
        }
      }
      if (!cancelled && !this.stopping) timer = setTimeout(() => void tick(), intervalMs);
    };
    timer = setTimeout(() => void tick(), intervalMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }

  status(): ConnectorStatus {
    const task = {
      id: this.taskId,
      state: this.state,
      worker_id: this.workerId,
      ...(this.trace ? { trace: this.trace } : {}),
    };
    const extra = this.statusExtras();
    return {
      name: this.name,
      connector: { state: this.state === 'FAILED' ? 'FAILED' : this.state, worker_id: this.workerId },
      tasks: [task],
      type: 'source',
      ...extra,
    };
  }

  /** Fields a connector adds to Kafka Connect's status shape (none by default). */
  protected statusExtras(): Partial<ConnectorStatus> {
    return {};
  }
}
