/**
 * One client connection through the gateway.
 *
 *   client frames ─▶ FrameReader ─▶ handle() in arrival order
 *        ApiVersions / SASL ─────────────▶ answered here
 *        admin APIs the gateway owns ────▶ answered here (LocalApi)
 *        everything else ─▶ request filter (authorization) ─▶ upstream broker (one connection,
 *                                                              opened on first use)
 *   answers ─▶ ResponseQueue (strict request order) ─▶ client
 *
 * Before authentication succeeds only ApiVersions and SASL are accepted; anything else closes the
 * connection and never reaches the broker. Memory is bounded: at most one incomplete frame is
 * buffered (≤ maxFrameBytesBeforeAuth until the client has authenticated, as Kafka's
 * sasl.server.max.receive.size, then ≤ maxFrameBytes), and reading pauses while queued work or
 * unwritten output exceeds maxBufferedBytesPerConnection (before authentication: one small frame).
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  gatewayRequestChannel,
  publishGatewayRequest,
  type SpanHandle,
} from '../../observability/trace-channels.js';
import {
  ApiKey,
  FrameReader,
  KafkaCodecError,
  RequestFrame,
  ResponseFrame,
  apiKeyInfo,
  encodeResponseFrame,
  isSupportedVersion,
  sizePrefix,
} from '../../protocol/index.js';
import type { ListenerConfig, LimitsConfig, SaslMechanism } from '../config/schema.js';
import { apiVersionsResponse, isClientApi, type RuledVersions } from '../filters/api-versions.js';
import { ADDRESS_BEARING_APIS, rewriteAddresses } from '../filters/address-rewrite.js';
import { limitNewPartitions, type PartitionLimitDecision } from '../filters/partition-limit.js';
import type { GatewayMetrics } from '../metrics.js';
import type { AddressMap, Target } from '../net/address-map.js';
import type { AuthFailureLimiter } from '../net/auth-failure-limiter.js';
import {
  AuthenticationFailed,
  invalidCredentials,
  startExchange,
  type MechanismOptions,
  type SaslExchange,
} from '../sasl/mechanisms.js';
import type { BrokerConnection } from '../upstream/broker-connection.js';
import type { ClusterView } from '../upstream/cluster-view.js';
import { ANONYMOUS, type Identity } from './authentication.js';
import { ResponseQueue, type Pending } from './response-queue.js';
import { FetchAccounting } from './fetch-accounting.js';
import { requestFrameBuffers } from './frame-buffers.js';
import { countTraffic } from './traffic.js';
import { untrusted } from '../untrusted.js';

/** What the session knows about itself, for handlers that need it (authorization, audit). */
export interface SessionInfo {
  readonly id: number;
  readonly listener: string;
  readonly clientAddress: string;
  readonly identity: Identity | undefined;
}

/** An API the gateway answers itself; returns the whole response frame. */
export type LocalApi = (frame: RequestFrame, session: SessionInfo) => Promise<Buffer>;

/** Decision of the request filter (authorization): forward (maybe changed), answer here, or close. */
export type FilterDecision =
  | { kind: 'forward'; transformResponse?: ResponseTransform }
  | { kind: 'answer'; response: Buffer }
  | { kind: 'close'; reason: string };

/** Edits the upstream response before it is released; may be asynchronous (record decryption). */
export type ResponseTransform = (frame: ResponseFrame) => void | Promise<void>;

export type RequestFilter = (
  frame: RequestFrame,
  session: SessionInfo,
) => FilterDecision | Promise<FilterDecision>;

export interface SessionDeps {
  listener: ListenerConfig;
  limits: LimitsConfig;
  cluster: ClusterView;
  addressMap: AddressMap;
  mechanisms: MechanismOptions;
  metrics: GatewayMetrics;
  authLimiter: AuthFailureLimiter;
  log: Logger;
  localApis: ReadonlyMap<number, LocalApi>;
  /** Authorization: always present, so nothing is forwarded without a rule (gateway/authz). */
  authorization: { filter: RequestFilter; ruledVersions: RuledVersions };
}

/** Per-connection facts the listener learned before the session starts. */
export interface ConnectionOrigin {
  /** Principal from the client certificate (mTLS), used when the listener has no SASL. */
  certificatePrincipal: string | undefined;
  /** When the connection must be authenticated (ms since epoch): accept time + limits.authTimeoutMs. */
  authDeadline: number;
}

/**
 * Largest ApiVersions, SaslHandshake or SCRAM/PLAIN SaslAuthenticate before login: those messages are
 * a few hundred bytes (a user name, a nonce, a proof or a password).
 */
export const SMALL_FRAME_BEFORE_AUTH = 8 * 1024;

let nextSessionId = 1;

/** Fetch v16+ responses may carry KIP-951 broker endpoints, which must be rewritten (not streamed). */
const FETCH_CUT_THROUGH_CAPS: ReadonlyMap<number, number> = new Map([[ApiKey.Fetch, 15]]);
const NO_CAPS: ReadonlyMap<number, number> = new Map();

export class ClientSession implements SessionInfo {
  readonly id = nextSessionId++;
  readonly listener: string;
  readonly clientAddress: string;
  identity: Identity | undefined;

  private readonly reader: FrameReader;
  private readonly queue = new ResponseQueue();
  private readonly log: Logger;
  private upstream: Promise<BrokerConnection> | undefined;
  private work: Promise<void> = Promise.resolve();
  private queuedBytes = 0;
  private closed = false;
  private readingPaused = false;
  /** The upstream socket's buffer is full: stop reading the client until it drains. */
  private upstreamFull = false;
  /** The span of the request being handled, until its answer is queued. */
  private requestSpan: SpanHandle | undefined;
  private upstreamPaused = false;
  /** Versions offered below what upstream and codec speak (Fetch ≤ 15 for cut-through forwarding). */
  private readonly versionCaps: ReadonlyMap<number, number>;
  private sasl: { mechanism: SaslMechanism; exchange: SaslExchange } | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly target: Target,
    private readonly deps: SessionDeps,
    { certificatePrincipal, authDeadline }: ConnectionOrigin,
  ) {
    this.listener = deps.listener.name;
    this.clientAddress = socket.remoteAddress ?? 'unknown';
    const saslRequired = deps.listener.saslMechanisms.length > 0;
    this.reader = new FrameReader({
      maxFrameSize: saslRequired ? deps.limits.maxFrameBytesBeforeAuth : deps.limits.maxFrameBytes,
      maxSizeFor: saslRequired ? (apiKey) => this.maxSizeBeforeAuth(apiKey) : undefined,
      allocate: requestFrameBuffers.allocate,
    });
    this.versionCaps = deps.limits.fetchCutThrough ? FETCH_CUT_THROUGH_CAPS : NO_CAPS;
    this.log = deps.log.child({ session: this.id, client: `${this.clientAddress}:${socket.remotePort}` });
    if (!saslRequired) {
      this.identity = {
        principal: certificatePrincipal ?? ANONYMOUS,
        mechanism: certificatePrincipal ? 'SSL' : 'NONE',
        expiresAt: undefined,
      };
    } else {
      this.authTimer = setTimeout(
        () => {
          deps.metrics.connectionRejected('auth-timeout');
          this.close(`not authenticated within ${deps.limits.authTimeoutMs} ms of connecting`);
        },
        Math.max(0, authDeadline - Date.now()),
      );
    }
    deps.metrics.connectionOpened(this.listener);
    socket.setNoDelay(true);
    socket.setTimeout(deps.limits.idleTimeoutMs, () => this.close('idle timeout'));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onClientDrain());
    socket.on('error', (e) => this.close(`client socket error: ${e.message}`));
    socket.on('close', () => this.close(undefined));
    this.log.debug({ target, listener: this.listener }, 'connection opened');
  }

  /**
   * Before login only ApiVersions, SaslHandshake and SaslAuthenticate are legitimate, and all are
   * small except an OAUTHBEARER token or a GSSAPI token (a Kerberos ticket carrying a Windows PAC
   * runs to tens of KiB): those may use maxFrameBytesBeforeAuth (Kafka's sasl.server.max.receive.size)
   * once the client has chosen that mechanism; every other frame must fit in SMALL_FRAME_BEFORE_AUTH.
   * So an unauthenticated connection on a SCRAM/PLAIN listener holds a few KiB at most (Kafka allows
   * 512 KiB for any of them: a deliberate tightening).
   */
  private maxSizeBeforeAuth(apiKey: number): number {
    const mechanism = this.sasl?.mechanism;
    const bigToken =
      apiKey === ApiKey.SaslAuthenticate && (mechanism === 'OAUTHBEARER' || mechanism === 'GSSAPI');
    return bigToken ? this.deps.limits.maxFrameBytesBeforeAuth : SMALL_FRAME_BEFORE_AUTH;
  }

  /** Request bytes held for this connection: an incomplete frame plus frames waiting to be handled. */
  get bufferedBytes(): number {
    return this.reader.buffered + this.queuedBytes;
  }

  // ---- input ---------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      if (!this.identity && e instanceof KafkaCodecError && e.code === 'FRAME_TOO_LARGE') {
        this.deps.metrics.connectionRejected('frame-too-large-before-auth');
        this.close(`bad frame before authentication: ${e.message}`);
      } else this.close(`bad frame: ${(e as Error).message}`);
      return;
    }
    for (const payload of frames) {
      this.queuedBytes += payload.length;
      // Frames are handled one after another: SASL steps and upstream connection set-up are
      // asynchronous, and a later frame must never overtake an earlier one.
      this.work = this.work
        .then(() => this.handle(payload))
        .finally(() => {
          this.queuedBytes -= payload.length;
          this.updateReading();
        });
    }
    this.updateReading();
  }

  private async handle(payload: Buffer): Promise<void> {
    if (this.closed) return;
    const receivedAt = process.hrtime.bigint();
    let frame: RequestFrame;
    try {
      frame = new RequestFrame(payload);
    } catch (e) {
      const what =
        e instanceof KafkaCodecError && e.code === 'UNKNOWN_API_KEY'
          ? `unknown API key ${payload.readInt16BE(0)}`
          : (e as Error).message;
      this.close(`refused request: ${what}`);
      return;
    }
    const info = apiKeyInfo(frame.apiKey);
    if (!info) {
      // Before any metric: an unknown key must not become a label value (any int16 is possible).
      this.close(`refused request: unknown API key ${frame.apiKey}`);
      return;
    }
    const name = info.name;
    const version = isSupportedVersion(frame.apiKey, frame.apiVersion) ? frame.apiVersion : undefined;
    this.deps.metrics.request(name, version, this.listener);
    this.requestSpan = gatewayRequestChannel.hasSubscribers ? this.publishRequest(name, frame) : undefined;
    try {
      switch (frame.apiKey) {
        case ApiKey.ApiVersions:
          return this.answer(frame, receivedAt, [
            apiVersionsResponse(frame.apiVersion, frame.correlationId, this.deps.cluster.apiVersions, {
              caps: this.versionCaps,
              ruled: this.deps.authorization.ruledVersions,
            }),
          ]);
        case ApiKey.SaslHandshake:
          return this.onSaslHandshake(frame, receivedAt);
        case ApiKey.SaslAuthenticate:
          return await this.onSaslAuthenticate(frame, receivedAt);
      }
      if (!this.identity) {
        this.close(`${name} request before authentication`);
        return;
      }
      if (this.identity.expiresAt !== undefined && Date.now() > this.identity.expiresAt) {
        this.close(`session of ${untrusted(this.identity.principal)} expired without re-authentication`);
        return;
      }
      const local = this.deps.localApis.get(frame.apiKey);
      if (local) return this.answer(frame, receivedAt, [await local(frame, this)]);
      if (!isClientApi(frame.apiKey)) {
        this.close(`${name} is not a client API`);
        return;
      }
      const decision = await this.deps.authorization.filter(frame, this);
      if (decision.kind === 'answer') return this.answer(frame, receivedAt, [decision.response]);
      if (decision.kind === 'close') return this.close(decision.reason);
      // After authorization, as Kafka checks it first: only what may reach the broker is limited.
      const limited = limitNewPartitions(frame, this.deps.limits.maxPartitionsPerTopic);
      if (limited.kind === 'answer') {
        const response = new ResponseFrame(limited.response.subarray(4), frame.apiKey, frame.apiVersion);
        await decision.transformResponse?.(response);
        return this.answer(frame, receivedAt, response.toBuffers());
      }
      await this.forward(frame, receivedAt, composeTransforms(decision.transformResponse, limited));
    } catch (e) {
      if (e instanceof KafkaCodecError)
        this.close(`malformed ${name} v${frame.apiVersion} request: ${e.message}`);
      else {
        this.log.error({ err: e, api: name }, 'request handling failed');
        this.close(`internal error handling ${name}`);
      }
    } finally {
      // Requests with no answer (acks=0, refused) end their span here; answered ones when written.
      this.requestSpan?.end();
      this.requestSpan = undefined;
    }
  }

  /** Tells tracing (observability/trace-channels.ts) about the request; the span it started, if any. */
  private publishRequest(name: string, frame: RequestFrame): SpanHandle | undefined {
    return publishGatewayRequest({
      api: name,
      apiVersion: frame.apiVersion,
      clientId: untrusted(frame.clientId ?? ''),
      principal: this.identity ? untrusted(this.identity.principal) : undefined,
      clientAddress: this.clientAddress,
      listener: this.listener,
    });
  }

  // ---- SASL ----------------------------------------------------------------------------------

  private onSaslHandshake(frame: RequestFrame, receivedAt: bigint): void {
    const { mechanism } = frame.body(ApiKey.SaslHandshake);
    const offered = this.deps.listener.saslMechanisms;
    // Re-authentication (KIP-368) must keep the mechanism it logged in with, as Kafka's
    // SaslServerAuthenticator requires; another one is answered as unsupported.
    const sameAsLogin = this.identity === undefined || this.identity.mechanism === mechanism;
    const ok = frame.apiVersion >= 1 && (offered as string[]).includes(mechanism) && sameAsLogin;
    if (ok)
      this.sasl = {
        mechanism: mechanism as SaslMechanism,
        exchange: startExchange(mechanism as SaslMechanism, this.deps.mechanisms),
      };
    // v0 would switch to raw SASL tokens outside Kafka framing; every maintained client uses v1.
    this.answer(frame, receivedAt, [
      encodeResponseFrame(ApiKey.SaslHandshake, frame.apiVersion, frame.correlationId, {
        errorCode: ok ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_SASL_MECHANISM,
        mechanisms: [...offered],
      }),
    ]);
  }

  private async onSaslAuthenticate(frame: RequestFrame, receivedAt: bigint): Promise<void> {
    const { authBytes } = frame.body(ApiKey.SaslAuthenticate);
    const respond = (
      errorCode: number,
      errorMessage: string | null,
      bytes: Buffer,
      lifetimeMs = 0n,
      closeAfter = false,
    ): void =>
      this.answer(
        frame,
        receivedAt,
        [
          encodeResponseFrame(ApiKey.SaslAuthenticate, frame.apiVersion, frame.correlationId, {
            errorCode,
            errorMessage,
            authBytes: bytes,
            sessionLifetimeMs: lifetimeMs,
          }),
        ],
        closeAfter,
      );
    if (!this.sasl) {
      respond(
        ErrorCode.ILLEGAL_SASL_STATE,
        'SaslAuthenticate without a successful SaslHandshake',
        Buffer.alloc(0),
        0n,
        true,
      );
      return;
    }
    const { mechanism, exchange } = this.sasl;
    const reauth = this.identity !== undefined;
    try {
      const step = await exchange.step(authBytes);
      if (!step.done) return respond(ErrorCode.NONE, null, step.challenge);
      // Checked only now, after the whole exchange, and answered exactly as a wrong password: a
      // locked principal must look like an unknown or mistyped one (no user enumeration).
      const lockedFor = this.deps.authLimiter.lockedForMs(step.principal, this.clientAddress);
      if (lockedFor > 0) {
        throw new AuthenticationFailed(
          invalidCredentials(mechanism),
          `${untrusted(step.principal)} locked out from this address for another ${lockedFor} ms`,
          step.principal,
        );
      }
      if (reauth && step.principal !== this.identity!.principal) {
        throw new AuthenticationFailed(
          'Cannot change principals during re-authentication',
          `re-authentication as ${untrusted(step.principal)} by ${untrusted(this.identity!.principal)}`,
          step.principal,
        );
      }
      const now = Date.now();
      const limits = [
        this.deps.limits.reauthMs > 0 ? now + this.deps.limits.reauthMs : Infinity,
        step.tokenExpiresAt ?? Infinity,
      ];
      const expiresAt = Math.min(...limits);
      this.identity = {
        principal: step.principal,
        mechanism,
        expiresAt: Number.isFinite(expiresAt) ? expiresAt : undefined,
      };
      this.sasl = undefined;
      clearTimeout(this.authTimer);
      // The post-login maximum applies from the next frame on.
      this.reader.maxFrameSize = this.deps.limits.maxFrameBytes;
      this.reader.maxSizeFor = undefined;
      this.armExpiry();
      this.deps.authLimiter.succeeded(step.principal, this.clientAddress);
      this.deps.metrics.authenticated(this.listener, mechanism, reauth, true);
      this.log.info({ principal: untrusted(step.principal), mechanism, reauth }, 'authenticated');
      respond(
        ErrorCode.NONE,
        null,
        step.challenge,
        BigInt(Number.isFinite(expiresAt) ? Math.max(1, expiresAt - now) : 0),
      );
    } catch (e) {
      if (!(e instanceof AuthenticationFailed)) throw e;
      this.sasl = undefined;
      this.deps.metrics.authenticated(this.listener, mechanism, reauth, false);
      this.log.warn(
        { mechanism, reauth, principal: untrusted(e.principal), reason: e.reason },
        'authentication failed',
      );
      // A growing delay per principal and address slows down password guessing.
      const delay = this.deps.authLimiter.failed(e.principal, this.clientAddress);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      this.deps.metrics.error('SaslAuthenticate', 'SASL_AUTHENTICATION_FAILED');
      respond(ErrorCode.SASL_AUTHENTICATION_FAILED, e.clientMessage, Buffer.alloc(0), 0n, true); // then close
    }
  }

  /** KIP-368: a session that has not re-authenticated by its deadline is closed. */
  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    const at = this.identity?.expiresAt;
    if (at === undefined) return;
    this.expiryTimer = setTimeout(
      () => this.close(`session of ${untrusted(this.identity?.principal)} expired without re-authentication`),
      Math.max(0, at - Date.now()) + 1000,
    );
    this.expiryTimer.unref();
  }

  // ---- upstream ------------------------------------------------------------------------------

  private async forward(
    frame: RequestFrame,
    receivedAt: bigint,
    transform?: ResponseTransform,
  ): Promise<void> {
    const upstream = await this.connectUpstream();
    if (this.closed) return;
    countTraffic(frame, this.deps.metrics, this.deps.cluster);
    // Produce with acks=0 gets no response from the broker: nothing to wait for.
    const expectsResponse = !(frame.apiKey === ApiKey.Produce && frame.body(ApiKey.Produce).acks === 0);
    if (expectsResponse) {
      const sentAt = process.hrtime.bigint();
      const rewrites = ADDRESS_BEARING_APIS.has(frame.apiKey);
      const pending: Pending = {
        correlationId: frame.correlationId,
        apiKey: frame.apiKey,
        apiVersion: frame.apiVersion,
        upstream: true,
        receivedAt,
        span: this.takeSpan(),
      };
      // Fetch below v16 carries no broker addresses: with nothing to rewrite or merge, a large response
      // is passed through as it arrives, its transfer to the client overlapping the one from the broker.
      if (frame.apiKey === ApiKey.Fetch && frame.apiVersion < 16 && !transform) {
        pending.streamable = true;
        pending.startAccounting = () =>
          new FetchAccounting(frame.apiVersion, (topic, topicId, bytes) =>
            this.deps.metrics.bytesOut(
              topic || (topicId && this.deps.cluster.topicName(topicId)) || 'unknown',
              bytes,
            ),
          );
        pending.onStreamed = () => {
          const answeredAt = process.hrtime.bigint();
          this.deps.metrics.completed(
            'Fetch',
            Number(answeredAt - receivedAt) / 1e6,
            Number(answeredAt - sentAt) / 1e6,
          );
        };
      }
      pending.onUpstreamResponse = (payload) => {
        const answeredAt = process.hrtime.bigint();
        const api = apiKeyInfo(frame.apiKey)!.name;
        this.deps.metrics.completed(
          api,
          Number(answeredAt - receivedAt) / 1e6,
          Number(answeredAt - sentAt) / 1e6,
        );
        if (!rewrites && !transform) return [sizePrefix(payload.length), payload];
        const response = new ResponseFrame(payload, frame.apiKey, frame.apiVersion);
        rewriteAddresses(response, this.deps.addressMap, this.deps.cluster);
        if (frame.apiKey === ApiKey.Fetch) countFetched(response, this.deps.metrics, this.deps.cluster);
        const transformed = transform?.(response);
        return transformed ? transformed.then(() => response.toBuffers()) : response.toBuffers();
      };
      this.queue.push(pending);
    }
    // Once written, an assembled request's buffer is recycled; nothing reads the bytes afterwards
    // (response handling uses the parsed header and decoded strings only).
    const recycle = (): void => requestFrameBuffers.release(frame.payload);
    if (
      !upstream.send(frame.toBuffers(), this.deps.limits.maxBufferedBytesPerConnection, recycle) &&
      !this.upstreamFull
    ) {
      // The broker reads slower than the client writes: stop reading the client until it drains.
      this.upstreamFull = true;
      upstream.once('drain', () => {
        this.upstreamFull = false;
        this.updateReading();
      });
      this.updateReading();
    }
  }

  private connectUpstream(): Promise<BrokerConnection> {
    this.upstream ??= this.deps.cluster.connect(this.target).then(
      (conn) => {
        conn.on('frame', (payload) => this.onUpstreamFrame(payload));
        conn.streamIf = (correlationId) => {
          const next = this.queue.nextUpstream();
          return next?.correlationId === correlationId && next.streamable === true;
        };
        conn.on('stream-start', (correlationId, size) => this.onStreamStart(correlationId, size));
        conn.on('stream-data', (chunk, release) => this.onStreamData(chunk, release));
        conn.on('stream-end', () => this.onStreamEnd());
        conn.on('close', (e) =>
          this.close(`upstream ${conn.address.host}:${conn.address.port} closed${e ? `: ${e.message}` : ''}`),
        );
        conn.resume();
        if (this.closed) conn.close();
        return conn;
      },
      (e: Error) => {
        this.close(`cannot reach upstream: ${e.message}`);
        throw e;
      },
    );
    return this.upstream;
  }

  private onUpstreamFrame(payload: Buffer): void {
    const pending = this.queue.nextUpstream();
    const correlationId = payload.length >= 4 ? payload.readInt32BE(0) : -1;
    if (!pending || pending.correlationId !== correlationId) {
      this.close(
        `upstream answered correlation id ${correlationId}, expected ${pending?.correlationId ?? 'none'}`,
      );
      return;
    }
    const failed = (e: unknown): void =>
      this.close(
        `cannot process upstream ${apiKeyInfo(pending.apiKey)?.name} response: ${(e as Error).message}`,
      );
    try {
      const answer = pending.onUpstreamResponse
        ? pending.onUpstreamResponse(payload)
        : [sizePrefix(payload.length), payload];
      if (answer instanceof Promise) {
        // Released in request order once ready; later responses may arrive meanwhile.
        pending.received = true;
        answer.then((buffers) => {
          pending.answer = buffers;
          this.flush();
        }, failed);
        return;
      }
      pending.answer = answer;
    } catch (e) {
      failed(e);
      return;
    }
    this.flush();
  }

  /** The response being passed through, and every chunk of it (for metrics once complete). */
  private streaming: { pending: Pending; accounting: { push(chunk: Buffer): void } | undefined } | undefined;

  /** streamIf has already checked that the next expected answer has this correlation id. */
  private onStreamStart(_correlationId: number, size: number): void {
    const pending = this.queue.nextUpstream()!;
    pending.stream = { chunks: [{ bytes: sizePrefix(size) }], done: false };
    this.streaming = { pending, accounting: pending.startAccounting?.() };
    this.flush();
  }

  private onStreamData(chunk: Buffer, release: () => void): void {
    const s = this.streaming!;
    s.pending.stream!.chunks.push({ bytes: chunk, release });
    s.accounting?.push(chunk);
    this.flush();
  }

  private onStreamEnd(): void {
    const { pending } = this.streaming!;
    this.streaming = undefined;
    pending.stream!.done = true;
    this.flush();
    try {
      pending.onStreamed?.();
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'cannot account a streamed response');
    }
  }

  // ---- output --------------------------------------------------------------------------------

  private answer(frame: RequestFrame, receivedAt: bigint, buffers: Buffer[], closeAfter = false): void {
    const total = Number(process.hrtime.bigint() - receivedAt) / 1e6;
    this.deps.metrics.completed(apiKeyInfo(frame.apiKey)?.name ?? String(frame.apiKey), total, 0);
    this.queue.push({
      correlationId: frame.correlationId,
      apiKey: frame.apiKey,
      apiVersion: frame.apiVersion,
      upstream: false,
      receivedAt,
      answer: buffers,
      closeAfter,
      span: this.takeSpan(),
    });
    this.flush();
  }

  /** Hands the current request's span to its queued answer. */
  private takeSpan(): SpanHandle | undefined {
    const span = this.requestSpan;
    this.requestSpan = undefined;
    return span;
  }

  /** Writes answers in request order: complete ones whole, a streamed one as far as it has arrived. */
  private flush(): void {
    if (this.closed) return;
    this.socket.cork();
    for (let head = this.queue.head(); head; head = this.queue.head()) {
      if (head.answer) {
        for (const b of head.answer) this.socket.write(b);
        this.queue.shift();
        head.span?.end();
        if (head.closeAfter) {
          this.socket.uncork();
          this.socket.end();
          this.close(undefined);
          return;
        }
        continue;
      }
      if (head.stream) {
        // A chunk's read buffer goes back to the pool once the socket has taken its bytes.
        for (const c of head.stream.chunks) this.socket.write(c.bytes, c.release);
        head.stream.chunks = [];
        if (head.stream.done) {
          this.queue.shift();
          head.span?.end();
          continue;
        }
      }
      break;
    }
    this.socket.uncork();
    this.updateReading();
  }

  private onClientDrain(): void {
    this.updateReading();
  }

  /**
   * Backpressure both ways. The client is not read while the broker connection is full or while
   * queued requests plus unsent answers exceed the budget; the broker is not read while answers
   * wait for a slow client.
   */
  private updateReading(): void {
    if (this.closed) return;
    // Before login, at most one small frame waits to be handled.
    const budget = this.identity ? this.deps.limits.maxBufferedBytesPerConnection : SMALL_FRAME_BEFORE_AUTH;
    const pauseClient = this.upstreamFull || this.queuedBytes + this.socket.writableLength > budget;
    if (pauseClient !== this.readingPaused) {
      this.readingPaused = pauseClient;
      if (pauseClient) this.socket.pause();
      else this.socket.resume();
    }
    const pauseUpstream = this.socket.writableLength > budget;
    if (pauseUpstream !== this.upstreamPaused && this.upstream) {
      this.upstreamPaused = pauseUpstream;
      void this.upstream.then((u) => (pauseUpstream ? u.pause() : u.resume())).catch(() => undefined);
    }
  }

  // ---- end -----------------------------------------------------------------------------------

  close(reason: string | undefined): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.authTimer);
    clearTimeout(this.expiryTimer);
    if (reason)
      this.log.info(
        { principal: untrusted(this.identity?.principal), reason: untrusted(reason, 1024) },
        'connection closed',
      );
    else this.log.debug('connection closed by client');
    if (!this.socket.writableEnded) this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    void this.upstream?.then((u) => u.close()).catch(() => undefined);
    this.deps.metrics.connectionClosed(this.listener);
  }
}

/** The filter's response transform, then the partition limit's (which adds its refusals). */
function composeTransforms(
  filter: ResponseTransform | undefined,
  limited: PartitionLimitDecision,
): ResponseTransform | undefined {
  if (limited.kind !== 'forward') return filter;
  return async (r) => {
    await filter?.(r);
    limited.transformResponse(r);
  };
}

function countFetched(response: ResponseFrame, metrics: GatewayMetrics, cluster: ClusterView): void {
  const body = response.body(ApiKey.Fetch);
  for (const t of body.responses) {
    const topic = t.topic || cluster.topicName(t.topicId) || 'unknown';
    let bytes = 0;
    for (const p of t.partitions) bytes += p.records?.length ?? 0;
    if (bytes > 0) metrics.bytesOut(topic, bytes);
  }
}
