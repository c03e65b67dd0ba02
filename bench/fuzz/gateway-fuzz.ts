/**
 * Fuzzing a live gateway (a `kgw gateway` process with a real broker behind it): sessions of
 * generated-then-mutated request frames, before authentication (anything, weighted towards
 * ApiVersions and SASL) and after a real SCRAM login as a low-privilege user (every client API;
 * resource names half the time ones the user may use, so requests reach the broker too).
 *
 * Each session ends with a probe (ApiVersions): the gateway must answer it or close the
 * connection — a bad frame closes that one connection with a clear error. Oracles:
 *
 * - crash: the gateway process exits;
 * - hang: a session whose probe is neither answered nor the connection closed within `hangMs`
 *   (after login: nor within 3 × hangMs more, since a broker can hold a request that long — such
 *   late answers are counted as `slowAnswers`), unless the client itself asked the broker to wait
 *   (a mutated Fetch maxWaitMs, …: found by decoding the session's frames; `clientAskedWait`); and
 *   a control connection that checks every second that the gateway still answers new clients;
 * - internal error: a log line of a request that failed inside the gateway rather than being
 *   refused as malformed (`request handling failed`); broker answers it could not process are
 *   counted apart (`responseErrors`, with their distinct reasons);
 * - memory: the process's peak RSS (VmHWM).
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import {
  ApiKey,
  FrameReader,
  KafkaCodecError,
  RequestFrame,
  decodeResponse,
  decodeResponseHeader,
  encodeRequestFrame,
  isSupportedVersion,
  type RequestApiKey,
} from '../../protocol/index.js';
import { ScramClient } from '../../security/scram/index.js';
import {
  Rng,
  WAIT_FIELD,
  allTargets,
  generateFrame,
  recordBatchPool,
  type FrameTarget,
  type GeneratedFrame,
} from './corpus.js';
import { mutate } from './mutate.js';

export interface FuzzedGateway {
  bootstrap: string;
  logFile: string;
  isRunning(): boolean;
  memory(): { rssKiB: number; peakKiB: number };
}

export interface GatewayFuzzOptions {
  gateway: FuzzedGateway;
  /** The low-privilege SCRAM-SHA-512 user of post-authentication sessions. */
  user: { name: string; password: string };
  /** Resource names the user may use (ACLs), mixed into generated requests. */
  entityNames: readonly string[];
  /** Mutated frames to send in total. */
  frames: number;
  seed: number;
  /** Sessions in flight at once (default 6). */
  concurrency?: number;
  /** Share of sessions before authentication (default 0.4). */
  preAuthShare?: number;
  /** How long a probe may go unanswered before the session counts as hung (default 20 s). */
  hangMs?: number;
  progress?: (line: string) => void;
}

export interface HungSession {
  /** Replays with planSession(await sessionPlanner(opts), index, Infinity). */
  index: number;
  phase: 'pre-auth' | 'post-auth';
  targets: string[];
  ops: string[][];
}

export interface GatewayFuzzReport {
  frames: number;
  preAuthFrames: number;
  postAuthFrames: number;
  sessions: number;
  /** How sessions ended: probe answered, connection closed by the gateway (a refused frame). */
  answered: number;
  closedByGateway: number;
  /** Sessions that could not log in (must be 0: the fuzz user is never locked out). */
  loginFailures: number;
  clientAskedWait: number;
  /** Post-login sessions answered only after hangMs (within 4 × hangMs): the broker was slow. */
  slowAnswers: number;
  slow: { index: number; targets: string[] }[];
  hangs: number;
  hung: HungSession[];
  /** Control probes (a fresh connection's ApiVersions every second) not answered in time. */
  unresponsive: number;
  /**
   * Log lines of the gateway losing its broker (connection refused): a fuzzed request that took
   * the broker down shows here; the sessions of `hung` and the log then tell which.
   */
  upstreamLost: number;
  crashed: boolean;
  internalErrors: number;
  /**
   * Connections closed because a broker answer could not be processed (decoded, or re-encoded
   * after a rewrite): one connection closed with the reason logged, not a crash; the distinct
   * reasons (numbers as N) are in responseErrorKinds.
   */
  responseErrors: number;
  responseErrorKinds: string[];
  startRssMiB: number;
  endRssMiB: number;
  peakRssMiB: number;
  elapsedMs: number;
}

/** Log lines of a failure inside the gateway, as opposed to a refused malformed request. */
const INTERNAL_ERROR = /"msg":"request handling failed"|uncaught|unhandled/i;
/** A broker answer the gateway could not decode, or could not re-encode after rewriting it. */
const RESPONSE_ERROR = /cannot process upstream/;

/** The broker went away under the gateway (not the gateway's fault, but a fuzzed request's?). */
const UPSTREAM_LOST = /ECONNREFUSED|cannot reach upstream/;

const PROBE_ID = 0x7eadbeef;
const PROBE = encodeRequestFrame(
  { apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId: PROBE_ID, clientId: 'probe' },
  { clientSoftwareName: 'kgw-fuzz', clientSoftwareVersion: '1' },
);
const PRE_AUTH_APIS = new Set<number>([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

/** A raw connection: frames out, response frames in, and whether the gateway closed it. */
class Connection {
  readonly responses: Buffer[] = [];
  closed = false;
  private readonly reader = new FrameReader({ maxFrameSize: 256 * 1024 * 1024 });
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      try {
        this.responses.push(...this.reader.push(d));
      } catch {
        socket.destroy();
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(bootstrap: string): Promise<Connection> {
    const [host, port] = bootstrap.split(':');
    return new Promise((resolve, reject) => {
      const s = connect({ host, port: Number(port) }, () => resolve(new Connection(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until `pred` holds, the connection closes, or `ms` pass. */
  async until(pred: () => boolean, ms: number): Promise<'ok' | 'closed' | 'timeout'> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (pred()) return 'ok';
      if (this.closed) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Sends one request and waits for the response with its correlation id. */
  async call(frame: Buffer, correlationId: number, ms: number): Promise<Buffer | undefined> {
    this.socket.write(frame);
    const found = (): Buffer | undefined => this.responses.find((r) => r.readInt32BE(0) === correlationId);
    return (await this.until(() => found() !== undefined, ms)) === 'ok' ? found() : undefined;
  }

  close(): void {
    this.socket.destroy();
  }
}

async function scramLogin(c: Connection, user: { name: string; password: string }): Promise<boolean> {
  const handshake = await c.call(
    encodeRequestFrame(
      { apiKey: ApiKey.SaslHandshake, apiVersion: 1, correlationId: 1, clientId: 'fuzz' },
      { mechanism: 'SCRAM-SHA-512' },
    ),
    1,
    30_000,
  );
  if (!handshake) return false;
  const scram = new ScramClient({ mechanism: 'SCRAM-SHA-512', username: user.name, password: user.password });
  const step = async (id: number, authBytes: Buffer): Promise<Buffer | undefined> => {
    const payload = await c.call(
      encodeRequestFrame(
        { apiKey: ApiKey.SaslAuthenticate, apiVersion: 2, correlationId: id, clientId: 'fuzz' },
        { authBytes },
      ),
      id,
      30_000,
    );
    if (!payload) return undefined;
    const h = decodeResponseHeader(ApiKey.SaslAuthenticate, 2, payload);
    const body = decodeResponse(ApiKey.SaslAuthenticate, 2, payload, h.headerLength);
    return body.errorCode === 0 ? body.authBytes : undefined;
  };
  const first = await step(2, scram.first());
  if (!first) return false;
  const final = await step(3, scram.final(first));
  if (!final) return false;
  scram.verify(final);
  return true;
}

/** Did the client ask the broker to wait? A decodable frame with a wait field above 1 s. */
function asksToWait(bytes: Buffer): boolean {
  try {
    const f = new RequestFrame(bytes.subarray(4));
    if (!isSupportedVersion(f.apiKey, f.apiVersion)) return false;
    return hasLongWait(f.body(f.apiKey as RequestApiKey));
  } catch (e) {
    if (e instanceof KafkaCodecError) return false;
    throw e;
  }
}

function hasLongWait(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasLongWait);
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return false;
  return Object.entries(v as Record<string, unknown>).some(
    ([k, x]) => (WAIT_FIELD.test(k) && typeof x === 'number' && (x > 1000 || x < 0)) || hasLongWait(x),
  );
}

export interface PlannedFrame {
  target: string;
  ops: string[];
  bytes: Buffer;
  framed: boolean;
}

/** What every session of a run draws from (built once per run from the seed). */
export interface SessionPlanner {
  seed: number;
  preAuthShare: number;
  generate(pool: FrameTarget[], r: Rng): GeneratedFrame;
  preAuthTargets: FrameTarget[];
  anyRequest: FrameTarget[];
  clientTargets: FrameTarget[];
}

export async function sessionPlanner(
  opts: Pick<GatewayFuzzOptions, 'seed' | 'entityNames' | 'preAuthShare'>,
): Promise<SessionPlanner> {
  const batches = await recordBatchPool(new Rng(opts.seed));
  const requests = allTargets().filter((t) => t.kind === 'request');
  return {
    seed: opts.seed,
    preAuthShare: opts.preAuthShare ?? 0.4,
    preAuthTargets: requests.filter((t) => PRE_AUTH_APIS.has(t.api.apiKey)),
    anyRequest: requests,
    clientTargets: requests.filter((t) => t.api.listeners.includes('broker')),
    generate(pool, r) {
      for (;;) {
        try {
          return generateFrame(pool[r.int(0, pool.length - 1)]!, r, {
            batches,
            maxWaitMs: 100,
            entityNames: opts.entityNames,
          });
        } catch (e) {
          if (!(e instanceof KafkaCodecError)) throw e;
        }
      }
    },
  };
}

/**
 * The frames of session `index` (1-8, 30% left valid), a function of the seed and the index only,
 * so any session of a run can be replayed alone.
 */
export function planSession(
  p: SessionPlanner,
  index: number,
  maxFrames: number,
): { preAuth: boolean; frames: PlannedFrame[]; r: Rng } {
  const r = new Rng((p.seed * 7919 + index * 104729) >>> 0);
  const preAuth = r.chance(p.preAuthShare);
  const count = Math.min(r.int(1, 8), Math.max(1, maxFrames));
  const frames: PlannedFrame[] = [];
  for (let i = 0; i < count; i++) {
    const pool = preAuth ? (r.chance(0.75) ? p.preAuthTargets : p.anyRequest) : p.clientTargets;
    const frame = p.generate(pool, r);
    const m = r.chance(0.3)
      ? { bytes: frame.bytes, ops: ['valid'], framed: true }
      : mutate(frame, r, { fixSize: 0.98 });
    const t = frame.target;
    frames.push({ target: `${t.api.name} v${t.version}`, ops: m.ops, bytes: m.bytes, framed: m.framed });
  }
  return { preAuth, frames, r };
}

export async function fuzzGateway(opts: GatewayFuzzOptions): Promise<GatewayFuzzReport> {
  const started = Date.now();
  const hangMs = opts.hangMs ?? 20_000;
  const sessions = await sessionPlanner(opts);
  const report: GatewayFuzzReport = {
    frames: 0,
    preAuthFrames: 0,
    postAuthFrames: 0,
    sessions: 0,
    answered: 0,
    closedByGateway: 0,
    loginFailures: 0,
    clientAskedWait: 0,
    slowAnswers: 0,
    slow: [],
    hangs: 0,
    hung: [],
    unresponsive: 0,
    upstreamLost: 0,
    crashed: false,
    internalErrors: 0,
    responseErrors: 0,
    responseErrorKinds: [],
    startRssMiB: Math.round(opts.gateway.memory().rssKiB / 1024),
    endRssMiB: 0,
    peakRssMiB: 0,
    elapsedMs: 0,
  };
  let stop = false;
  const control = (async () => {
    while (!stop) {
      await new Promise((r) => setTimeout(r, 1000));
      if (stop || !opts.gateway.isRunning()) break;
      let c: Connection | undefined;
      try {
        c = await Connection.open(opts.gateway.bootstrap);
        if (!(await c.call(PROBE, PROBE_ID, hangMs))) report.unresponsive++;
      } catch {
        report.unresponsive++;
      } finally {
        c?.close();
      }
    }
  })();

  let nextSession = 0;
  const session = async (index: number): Promise<void> => {
    const plan = planSession(sessions, index, opts.frames - report.frames);
    const { preAuth, frames: sent, r } = plan;
    const framed = sent.every((f) => f.framed);
    const c = await Connection.open(opts.gateway.bootstrap);
    try {
      if (!preAuth && !(await scramLogin(c, opts.user))) {
        report.loginFailures++;
        return;
      }
      report.frames += sent.length;
      if (preAuth) report.preAuthFrames += sent.length;
      else report.postAuthFrames += sent.length;
      report.sessions++;
      // In one write or several, as clients pipeline.
      if (r.chance(0.5)) c.socket.write(Buffer.concat(sent.map((s) => s.bytes)));
      else for (const s of sent) c.socket.write(s.bytes);
      // A frame whose size prefix lies leaves the gateway waiting for bytes that never come: the
      // client hangs up, and the gateway must close too.
      if (framed) c.socket.write(PROBE);
      else c.socket.end();
      const probed = (): boolean => c.responses.some((p) => p.readInt32BE(0) === PROBE_ID);
      let outcome = await c.until(probed, hangMs);
      if (outcome === 'timeout' && !preAuth) {
        // A broker may itself hold a request for long (Kafka's share-state persister retries a
        // DescribeShareGroupOffsets for about a minute): answered late is slow, not hung.
        outcome = await c.until(probed, 3 * hangMs);
        if (outcome !== 'timeout') {
          report.slowAnswers++;
          if (report.slow.length < 10) report.slow.push({ index, targets: sent.map((s) => s.target) });
        }
      }
      if (outcome === 'ok') report.answered++;
      else if (outcome === 'closed') report.closedByGateway++;
      else if (!preAuth && sent.some((s) => asksToWait(s.bytes))) report.clientAskedWait++;
      else {
        report.hangs++;
        if (report.hung.length < 10)
          report.hung.push({
            index,
            phase: preAuth ? 'pre-auth' : 'post-auth',
            targets: sent.map((s) => s.target),
            ops: sent.map((s) => s.ops),
          });
      }
    } finally {
      c.close();
    }
  };

  const workers = Array.from({ length: opts.concurrency ?? 6 }, async () => {
    while (report.frames < opts.frames && opts.gateway.isRunning()) {
      const index = nextSession++;
      try {
        await session(index);
      } catch (e) {
        // Cannot even connect: the gateway is gone (counted below) or refusing; note and go on.
        if (!opts.gateway.isRunning()) break;
        opts.progress?.(`session ${index}: ${(e as Error).message}`);
      }
      if (index % 200 === 0) {
        const mem = opts.gateway.memory();
        report.peakRssMiB = Math.max(report.peakRssMiB, Math.round(mem.peakKiB / 1024));
        opts.progress?.(
          `${report.frames} frames, ${report.sessions} sessions, rss ${Math.round(mem.rssKiB / 1024)} MiB, ` +
            `${Math.round((Date.now() - started) / 1000)} s`,
        );
      }
    }
  });
  await Promise.all(workers);
  stop = true;
  await control;
  report.crashed = !opts.gateway.isRunning();
  if (!report.crashed) {
    const mem = opts.gateway.memory();
    report.endRssMiB = Math.round(mem.rssKiB / 1024);
    report.peakRssMiB = Math.max(report.peakRssMiB, Math.round(mem.peakKiB / 1024));
  }
  const logLines = readFileSync(opts.gateway.logFile, 'utf8').split('\n');
  report.internalErrors = logLines.filter((l) => INTERNAL_ERROR.test(l) && !UPSTREAM_LOST.test(l)).length;
  report.upstreamLost = logLines.filter((l) => UPSTREAM_LOST.test(l)).length;
  const responseErrors = logLines.filter((l) => RESPONSE_ERROR.test(l));
  report.responseErrors = responseErrors.length;
  report.responseErrorKinds = [
    ...new Set(responseErrors.map((l) => /"reason":"([^"]*)"/.exec(l)?.[1]?.replace(/\d+/g, 'N') ?? l)),
  ].slice(0, 10);
  report.elapsedMs = Date.now() - started;
  return report;
}
