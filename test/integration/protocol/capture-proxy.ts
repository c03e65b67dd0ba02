/**
 * A small TCP proxy for tests that records every Kafka request and response passing between real
 * clients and a real broker. Broker addresses in responses (Metadata, FindCoordinator,
 * DescribeCluster, node endpoints of Produce/Fetch/ShareFetch) are rewritten to proxy listeners —
 * decoded, changed and re-encoded with the codec — so clients keep talking through the proxy after
 * bootstrap. Frames are recorded as the broker/client sent them, before any rewrite.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import {
  ApiKey,
  FrameReader,
  ResponseFrame,
  decodeRequestHeader,
  type RequestApiKey,
} from '../../../protocol/index.js';

export interface CapturedFrame {
  direction: 'request' | 'response';
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** Header + body exactly as sent, without the size prefix (a private copy). */
  payload: Buffer;
}

/** APIs whose responses carry broker endpoints clients connect to. */
const ADDRESS_APIS = new Set<number>([
  ApiKey.Produce,
  ApiKey.Fetch,
  ApiKey.Metadata,
  ApiKey.FindCoordinator,
  ApiKey.DescribeCluster,
  ApiKey.ShareFetch,
  ApiKey.ShareAcknowledge,
]);

const MAX_FRAME = 100 * 1024 * 1024;

export class CaptureProxy {
  readonly frames: CapturedFrame[] = [];
  readonly errors: Error[] = [];
  private readonly listeners = new Map<string, Promise<{ server: Server; port: number }>>();
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly upstream: string) {}

  /** Starts a proxy in front of `bootstrap` ("host:port"); resolves once it listens. */
  static async start(bootstrap: string): Promise<CaptureProxy> {
    const p = new CaptureProxy(bootstrap);
    await p.listenerFor(bootstrap);
    return p;
  }

  /** The proxy's address for the bootstrap broker, to give to clients. */
  async address(): Promise<string> {
    const l = await this.listenerFor(this.upstream);
    return `127.0.0.1:${l.port}`;
  }

  /** A local listener forwarding to upstream "host:port" (created on first use). */
  private listenerFor(target: string): Promise<{ server: Server; port: number }> {
    let l = this.listeners.get(target);
    if (!l) {
      l = new Promise((resolve, reject) => {
        const server = createServer((client) => this.handle(client, target));
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const addr = server.address();
          if (addr === null || typeof addr === 'string') return reject(new Error('no address'));
          resolve({ server, port: addr.port });
        });
      });
      this.listeners.set(target, l);
    }
    return l;
  }

  private handle(client: Socket, target: string): void {
    const sep = target.lastIndexOf(':');
    const broker = createConnection({ host: target.slice(0, sep), port: Number(target.slice(sep + 1)) });
    this.sockets.add(client).add(broker);
    const inflight = new Map<number, { apiKey: number; apiVersion: number }>();
    const fail = (e: Error): void => {
      this.errors.push(e);
      client.destroy();
      broker.destroy();
    };
    client.on('error', () => broker.destroy());
    broker.on('error', () => client.destroy());
    client.on('close', () => {
      this.sockets.delete(client);
      broker.end();
    });
    broker.on('close', () => {
      this.sockets.delete(broker);
      client.end();
    });

    const requests = new FrameReader({ maxFrameSize: MAX_FRAME });
    client.on('data', (chunk: Buffer) => {
      try {
        for (const payload of requests.push(chunk)) {
          const h = decodeRequestHeader(payload);
          inflight.set(h.correlationId, { apiKey: h.apiKey, apiVersion: h.apiVersion });
          this.frames.push({
            direction: 'request',
            apiKey: h.apiKey,
            apiVersion: h.apiVersion,
            correlationId: h.correlationId,
            payload: Buffer.from(payload),
          });
          const size = Buffer.allocUnsafe(4);
          size.writeInt32BE(payload.length, 0);
          broker.write(size);
          broker.write(payload);
        }
      } catch (e) {
        fail(e as Error);
      }
    });

    // Responses are processed strictly in order (address rewriting may have to open a listener).
    const responses = new FrameReader({ maxFrameSize: MAX_FRAME });
    let chain: Promise<void> = Promise.resolve();
    broker.on('data', (chunk: Buffer) => {
      let payloads: Buffer[];
      try {
        payloads = responses.push(chunk);
      } catch (e) {
        fail(e as Error);
        return;
      }
      for (const payload of payloads) {
        chain = chain
          .then(async () => {
            const correlationId = payload.readInt32BE(0);
            const req = inflight.get(correlationId);
            if (!req) throw new Error(`response to unknown correlation id ${correlationId}`);
            inflight.delete(correlationId);
            this.frames.push({ direction: 'response', ...req, correlationId, payload: Buffer.from(payload) });
            const frame = new ResponseFrame(payload, req.apiKey, req.apiVersion);
            if (ADDRESS_APIS.has(req.apiKey)) await this.rewriteAddresses(frame);
            for (const b of frame.toBuffers()) client.write(b);
          })
          .catch((e: unknown) => fail(e as Error));
      }
    });
  }

  /** Points every {host, port} broker endpoint in the body at a proxy listener. */
  private async rewriteAddresses(frame: ResponseFrame): Promise<void> {
    const key = frame.apiKey as RequestApiKey;
    const body = frame.body(key) as unknown;
    const endpoints: { host: string; port: number }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) for (const x of v) walk(x);
      else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
        const o = v as Record<string, unknown>;
        if (typeof o.host === 'string' && typeof o.port === 'number' && o.host !== '' && o.port > 0) {
          endpoints.push(o as unknown as { host: string; port: number });
        }
        for (const x of Object.values(o)) walk(x);
      }
    };
    walk(body);
    if (endpoints.length === 0) return;
    for (const e of endpoints) {
      const l = await this.listenerFor(`${e.host}:${e.port}`);
      e.host = '127.0.0.1';
      e.port = l.port;
    }
    frame.setBody(key, body as never);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const servers = await Promise.all(this.listeners.values());
    await Promise.all(servers.map(({ server }) => new Promise<void>((r) => server.close(() => r()))));
  }
}
