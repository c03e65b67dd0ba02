/**
 * Raw sockets for the probes that must control bytes below Kafka framing: a TCP connection that
 * sends nothing, a ClientHello written one byte at a time, a frame header with no body, a TLS
 * ClientHello whose answer is read and the connection dropped. Each waits with a bound and gives
 * up when the check's signal aborts.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { PassThrough, Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { buildClientHello, parseServerAnswer, type HelloAnswer } from './tls-hello.js';

export interface Address {
  host: string;
  port: number;
}

/** host:port, or [v6]:port. */
export function parseAddress(s: string): Address {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(s) ?? /^([^:\s]+):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535)
    throw new Error(`bootstrap "${s}": expected host:port, e.g. kafka.example.com:9093`);
  return { host: m[1]!, port };
}

export const formatAddress = (a: Address): string =>
  a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;

/** A plain TCP connection; rejects after `timeoutMs`. The socket's errors are swallowed afterwards. */
export function openTcp(address: Address, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: address.host, port: address.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TCP connection to ${formatAddress(address)} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/**
 * Resolves when the peer closes (or resets) the socket, with the time it took; resolves
 * `{ closed: false }` when `withinMs` passes or the signal aborts first. Never leaves the socket open.
 */
export function waitForClose(
  socket: Socket,
  withinMs: number,
  signal?: AbortSignal,
): Promise<{ closed: boolean; afterMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) {
      resolve({ closed: true, afterMs: 0 });
      return;
    }
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      socket.off('close', onClose);
      socket.off('end', onClose);
      signal?.removeEventListener('abort', onAbort);
      resolve({ closed, afterMs: Date.now() - started });
    };
    const onClose = (): void => done(true);
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(false), withinMs);
    socket.once('close', onClose);
    socket.once('end', onClose);
    // Reading keeps 'end' flowing; whatever the server sends is irrelevant here.
    socket.on('data', () => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sends a ClientHello and reads the server's first answer (ServerHello or alert), then drops the
 * connection. A server that closes without an answer refused as well.
 */
export async function sendClientHello(
  address: Address,
  hello: Parameters<typeof buildClientHello>[0],
  timeoutMs: number,
): Promise<HelloAnswer | { kind: 'closed' } | { kind: 'timeout' }> {
  const socket = await openTcp(address, timeoutMs);
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const finish = (a: HelloAnswer | { kind: 'closed' } | { kind: 'timeout' }): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      const answer = parseServerAnswer(received);
      if (answer.kind !== 'incomplete') finish(answer);
      else if (received.length > 64 * 1024) finish({ kind: 'not-tls', firstByte: received[0]! });
    });
    socket.once('close', () => finish({ kind: 'closed' }));
    socket.write(buildClientHello(hello));
  });
}

/** The bytes node:tls would send first (its ClientHello) for this server name, captured offline. */
export function captureClientHello(serverName: string | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sink = new PassThrough();
    const fake = Duplex.from({ readable: new PassThrough(), writable: sink });
    // The hello may be written while tlsConnect() is still running: tear down on the next turn.
    sink.once('data', (chunk: Buffer) => {
      resolve(Buffer.from(chunk));
      setImmediate(() => tls.destroy());
    });
    const tls = tlsConnect({ socket: fake, servername: serverName, rejectUnauthorized: false });
    tls.on('error', (e) => reject(e));
  });
}
